import django_filters

from .models import ClaimRule, Role, User


class RoleActiveFilterSet(django_filters.FilterSet):
    """A text search (`q`, on the field each subclass names), the role and
    whether active: what the Users and Claim rules lists filter on."""

    role = django_filters.ChoiceFilter(choices=Role.choices, empty_label="Any role")
    is_active = django_filters.BooleanFilter(label="Active")


class UserFilterSet(RoleActiveFilterSet):
    q = django_filters.CharFilter(field_name="username", lookup_expr="icontains", label="Username")

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]


class ClaimRuleFilterSet(RoleActiveFilterSet):
    q = django_filters.CharFilter(field_name="claim_value", lookup_expr="icontains", label="Claim value")

    class Meta:
        model = ClaimRule
        fields = ["q", "role", "is_active"]
