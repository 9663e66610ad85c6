import django_tables2 as tables

from ..models import Runbook


class RunbookTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name="Runbook")
    programme = tables.Column(accessor="programme__code", verbose_name="Programme", default="Template")
    rollout_wave = tables.Column(verbose_name="Rollout wave", default="—")
    mode = tables.Column(verbose_name="Mode")
    task_count = tables.Column(verbose_name="Tasks", orderable=True)
    planned_start = tables.DateTimeColumn(verbose_name="Planned start (Europe/London)", format="j M Y H:i T")

    class Meta:
        model = Runbook
        fields = ["title", "programme", "rollout_wave", "mode", "task_count", "planned_start"]
        empty_text = "No runbooks match these filters."
