"""The capability overview (filled in by the coaching-and-handover part)."""

from __future__ import annotations

from django.views.generic import TemplateView

from changeboard.core.views import ScopedMixin

from ..models import Approach


class DashboardView(ScopedMixin, TemplateView):
    model = Approach
    template_name = "capability/dashboard.html"
    page_title = "Approach and capability"
