import django_tables2 as tables

from ..models import Period


class PeriodTable(tables.Table):
    name = tables.Column(accessor="pk", verbose_name="Hypercare period", linkify=True, orderable=False)
    programme = tables.Column(accessor="rollout_wave__programme__code", verbose_name="Programme")
    rollout_wave = tables.Column(verbose_name="Rollout wave")
    starts_on = tables.DateColumn(verbose_name="Go-live", format="j M Y")
    ends_on = tables.DateColumn(verbose_name="Ends", format="j M Y")
    status = tables.Column()

    class Meta:
        model = Period
        fields = ["name", "programme", "rollout_wave", "starts_on", "ends_on", "status"]
        empty_text = "No hypercare periods match these filters."

    def render_name(self, record: Period) -> str:
        return str(record)
