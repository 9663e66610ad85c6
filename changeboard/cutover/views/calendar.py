"""The portfolio's cutover calendar: every runbook's planned window and
every rehearsal and live run the user may see, as a table (the primary
view, exported as CSV) and a month grid, with the conflict warnings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView

from changeboard.core import exports
from changeboard.core.forms import govuk_style
from changeboard.core.params import StrictRequestConfig, parse_date
from changeboard.core.views import ScopedMixin

from ..filtersets.calendar import CalendarFilterSet
from ..models import Runbook
from ..services import calendar
from ..tables.calendar import CalendarTable

EXPORT_HEADERS = ["Programme", "Runbook", "Rollout wave", "Window", "Status", "Start (Europe/London)", "Finish (Europe/London)",
                  "Finish is", "Start (UTC)", "Finish (UTC)", "Conflicts"]


class CalendarView(ScopedMixin, TemplateView):
    model = Runbook
    template_name = "cutover/calendar_overview.html"
    page_title = "Cutover calendar"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filterset = CalendarFilterSet(request.GET or None, queryset=self.runbooks(), request=request)
        govuk_style(self.filterset.form)
        valid = self.filterset.is_bound and self.filterset.is_valid()
        data = self.filterset.form.cleaned_data if valid else {}
        today = timezone.localdate()
        # From the start of this month unless the user chose (or cleared) a start.
        self.start: dt.date | None = data.get("start") if valid and "start" in request.GET else today.replace(day=1)
        self.end: dt.date | None = data.get("end")
        books = list(self.filterset.qs if valid else self.runbooks())
        self.entries, self.conflicts = self.compute(books)
        if request.GET.get("export") == "csv":
            return self.export()
        return super().get(request, *args, **kwargs)

    def runbooks(self) -> Any:
        return (self.get_queryset().filter(is_template=False).select_related("programme", "rollout_wave")
                .prefetch_related("rollout_wave__units"))

    def compute(self, books: list[Runbook]) -> tuple[list[calendar.Entry], calendar.Conflicts]:
        return calendar.portfolio_calendar(self.request.user, books, start=self.start, end=self.end, now=timezone.now())

    def month(self) -> dt.date:
        chosen = parse_date(self.request.GET.get("month"))
        if chosen is not None:
            return chosen.replace(day=1)
        return (self.start or (self.entries[0].start.date() if self.entries else timezone.localdate())).replace(day=1)

    def export(self) -> HttpResponse:
        rows = ([e.programme_code, e.runbook.title, e.runbook.rollout_wave.name if e.runbook.rollout_wave else "", e.label, e.status,
                 e.start_text, e.finish_text, e.finish_basis, e.start, e.finish, e.conflicts if e.kind == "plan" else ""]
                for e in self.entries)
        return exports.export_response("csv", "cutover-calendar", EXPORT_HEADERS, rows)  # type: ignore[return-value]  # a CSV export streams

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        table = CalendarTable(self.entries)
        StrictRequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        month = self.month()
        previous = (month - dt.timedelta(days=1)).replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        context.update(filter=self.filterset, table=table, entries=self.entries, conflicts=self.conflicts, month=month,
                       weeks=calendar.month_grid(self.entries, month), previous_month=previous, next_month=following,
                       weekdays=["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
        return context
