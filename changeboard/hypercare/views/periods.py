"""Hypercare period pages: the list."""

from __future__ import annotations

from django.db.models import QuerySet

from changeboard.core.views import ScopedListView

from ..filtersets.periods import PeriodFilterSet
from ..models import Period
from ..tables.periods import PeriodTable


class PeriodListView(ScopedListView):
    model = Period
    table_class = PeriodTable
    filterset_class = PeriodFilterSet
    template_name = "hypercare/period_list.html"
    page_title = "Hypercare periods"
    export_name = "hypercare-periods"
    export_columns = [("Programme", "rollout_wave__programme__code"), ("Rollout wave", "rollout_wave__name"),
                      ("Go-live", "starts_on"), ("Ends", "ends_on"), ("Status", "status")]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("rollout_wave__programme")
