"""The Programme Board's dashboards: the portfolio (every programme the user
may see, exceptions first) and one programme. Both read `summary` for an
as-of date and render its plain data through the same partials the board
pack includes, so a page and its pack show the same figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.views import ScopedMixin
from changeboard.portfolio.models import Programme

from .. import charts, summary
from ..models import Dashboard


class AsOfForm(forms.Form):
    """The date the dashboard shows the data as it stood on."""

    as_of = forms.DateField(
        label="Show the data as of", required=False, input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter the date as of which to show the data, like 2027-03-01"},
    )

    def clean_as_of(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("as_of")
        if value is not None and not dt.date(2000, 1, 1) <= value <= timezone.localdate():
            raise forms.ValidationError("Enter a date from 2000 up to today: the data of a later date is not known yet")
        return value


class DashboardMixin(ScopedMixin):
    """Board members and change managers (admins always); champions and
    auditors answer 403. A missing or bad `as_of` shows today's data, the
    bad input with a GOV.UK error message, never a server error."""

    model = Dashboard  # type: ignore[assignment]

    def as_of(self) -> dt.date:
        if not hasattr(self, "_as_of"):
            today = timezone.localdate()
            self.form = AsOfForm(self.request.GET or None)  # type: ignore[attr-defined]
            if self.form.is_bound and self.form.is_valid():
                self._as_of = self.form.cleaned_data["as_of"] or today
            else:
                self._as_of = today
        return self._as_of

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        as_of = self.as_of()
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, as_of=as_of, today=timezone.localdate(), links=True)
        return context


class PortfolioDashboardView(DashboardMixin, TemplateView):
    template_name = "reports/portfolio_dashboard.html"
    page_title = "Programme Board"
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        data = summary.portfolio(self.request.user, context["as_of"]).as_dict()
        context.update(p=data, charts=charts.portfolio_charts(data) if data["has_readiness"] else [])
        return context


class ProgrammeDashboardView(DashboardMixin, TemplateView):
    template_name = "reports/programme_dashboard.html"
    page_title = "Programme dashboard"
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.programme = get_object_or_404(Programme.objects.restrict(self.request.user), pk=self.kwargs["pk"])
        context = super().get_context_data(**kwargs)
        data = summary.programme(self.programme, self.request.user, context["as_of"]).as_dict()
        context.update(s=data, charts=charts.programme_charts(data), programme=self.programme,
                       page_title=f"Programme dashboard: {self.programme.code} {self.programme.name}")
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Programme Board", reverse("portfolio-dashboard")), (self.programme.name, self.programme.get_absolute_url()),
                ("Dashboard", "")]
