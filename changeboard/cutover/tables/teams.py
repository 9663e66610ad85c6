import django_tables2 as tables

from ..models import Team


class TeamTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name="Team")
    member_count = tables.Column(verbose_name="Members", orderable=True)
    task_count = tables.Column(verbose_name="Tasks owned", orderable=True)

    class Meta:
        model = Team
        fields = ["name", "member_count", "task_count"]
        empty_text = "No teams match these filters."
