"""The champion pulse: a change manager starts this month's pulse for their
programme; everyone who may read survey waves sees past pulses and their
results (the surveys app's thresholds applied)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.params import parse_id
from changeboard.core.scoping import can
from changeboard.core.views import ScopedMixin
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import Adkar, SurveyWave

from ..forms.pulse import PulseForm
from ..services.pulse import PULSE_DAYS, pulse_create, pulse_result, pulses

RECENT = 12


def startable_programmes(user: Any) -> Any:
    """The programmes whose pulse the user may start."""
    if not can(user, SurveyWave, "add"):
        return Programme.objects.none()
    rows = Programme.objects.exclude(status="closed").order_by("code")
    return rows if user.role == "admin" else rows.filter(pk__in=user.programmes.values("pk"))


class PulseView(ScopedMixin, TemplateView):
    request: AuthenticatedHttpRequest
    model = SurveyWave
    template_name = "network/pulse.html"
    page_title = "Champion pulse"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = Programme.objects.restrict(user).order_by("code")
        wanted = parse_id(self.request.GET.get("programme"))
        programme = visible.filter(pk=wanted).first() if wanted is not None else None
        waves = pulses(programme).filter(pk__in=SurveyWave.objects.restrict(user).values("pk"))[:RECENT]
        startable = startable_programmes(user)
        context.update(
            programmes=visible, programme=programme, results=[pulse_result(w) for w in waves], elements=Adkar.choices,
            form=kwargs.get("form") or (PulseForm(programmes=startable, initial={"programme": programme}) if startable.exists() else None),
            pulse_days=PULSE_DAYS,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        startable = startable_programmes(self.request.user)
        if not startable.exists():
            raise PermissionDenied
        form = PulseForm(request.POST, programmes=startable)
        if form.is_valid():
            try:
                wave = pulse_create(programme=form.cleaned_data["programme"], actor=self.request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"{wave.title} is launched: the programme's champions are invited today.")
                return redirect(reverse("network-pulse") + f"?programme={wave.programme_id}")
        return self.render_to_response(self.get_context_data(form=form))
