import django_filters

from .models import ClaimRule, Role, User


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="username", lookup_expr="icontains", label="Username")
    role = django_filters.ChoiceFilter(choices=Role.choices, empty_label="Any role")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]


class ClaimRuleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="claim_value", lookup_expr="icontains", label="Claim value")
    role = django_filters.ChoiceFilter(choices=Role.choices, empty_label="Any role")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = ClaimRule
        fields = ["q", "role", "is_active"]
