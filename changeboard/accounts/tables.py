import django_tables2 as tables

from .models import ClaimRule, User


class UserTable(tables.Table):
    username = tables.Column(linkify=True)
    last_name = tables.Column(verbose_name="Name", order_by=("last_name", "first_name"))
    role = tables.Column()
    is_active = tables.BooleanColumn(verbose_name="Active", yesno="Yes,No")
    last_login = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Last sign-in", default="Never")

    class Meta:
        model = User
        fields = ["username", "last_name", "role", "is_active", "last_login"]

    def render_last_name(self, record: User) -> str:
        return record.get_full_name() or "—"


class ClaimRuleTable(tables.Table):
    claim_value = tables.Column(linkify=True, verbose_name="Claim value")
    role = tables.Column()
    description = tables.Column(default="—")
    is_active = tables.BooleanColumn(verbose_name="Active", yesno="Yes,No")

    class Meta:
        model = ClaimRule
        fields = ["claim_value", "role", "description", "is_active"]
