"""The network dashboard: each programme's coverage at a glance."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from changeboard.core.views import ScopedMixin
from changeboard.portfolio.models import Programme

from ..models import Champion
from ..services.coverage import coverage


class DashboardView(ScopedMixin, TemplateView):
    model = Champion
    template_name = "network/dashboard.html"
    page_title = "Champion network"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programmes = Programme.objects.restrict(self.request.user).exclude(status="closed").order_by("code")
        context["rows"] = [(programme, coverage(programme)) for programme in programmes]
        return context
