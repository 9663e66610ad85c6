"""Runbook pages: the list (filter, export)."""

from __future__ import annotations

from django.db.models import QuerySet

from changeboard.core.views import ScopedListView

from ..filtersets.runbooks import RunbookFilterSet
from ..models import Runbook
from ..tables.runbooks import RunbookTable


class RunbookListView(ScopedListView):
    model = Runbook
    table_class = RunbookTable
    filterset_class = RunbookFilterSet
    template_name = "cutover/runbook_list.html"
    page_title = "Cutover runbooks"
    export_name = "runbooks"
    export_columns = [("Programme", "programme__code"), ("Runbook", "title"), ("Rollout wave", "rollout_wave__name"),
                      ("Mode", "mode"), ("Template", "is_template"), ("Planned start (UTC)", "planned_start")]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "rollout_wave")
