"""The champion's own page: their nominations, programmes and load, and for
the units they look after: readiness, actions, go-lives and cutover tasks,
hypercare queries, the comms planned for their people, their activity log
and the thanks they received. Phone-first: one column, short lists, each
with a link to the full page. A bounded number of queries."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.scoping import subtree_q
from changeboard.core.views import ScopedMixin
from changeboard.cutover.models import Runbook, Task
from changeboard.engagement.models import Message, MessageReach
from changeboard.hypercare.models import Query
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import RolloutWave
from changeboard.readiness.models import Action
from changeboard.readiness.scores import latest_scores, rag_for

from ..forms.pulse import DeclineForm
from ..models import Activity, Champion, Support
from ..services.champions import champion_accept, champion_decline
from ..services.load import loads
from ..services.recognition import thanks_for

SHORT = 5


def _ancestors(paths: list[str]) -> list[str]:
    step = Unit.steplen
    return sorted({p[:end] for p in paths for end in range(step, len(p) + 1, step)})


def _short(queryset: Any) -> tuple[list[Any], int]:
    """The first few rows and how many there are (two queries)."""
    return list(queryset[:SHORT]), queryset.count()


def own_page(user: Any) -> dict[str, Any]:
    """Everything the champion's page shows, for `user`'s champion entries."""
    entries = list(Champion.objects.filter(user=user).select_related("staff__unit", "nominated_by").prefetch_related("units").order_by("pk"))
    if not entries:
        return {"entries": []}
    today = timezone.localdate()
    ids = [c.pk for c in entries]
    active = [c for c in entries if c.status == Champion.Status.ACTIVE]
    units = sorted({u.pk: u for c in active for u in c.units.all()}.values(), key=lambda u: u.path)
    paths = [u.path for u in units]
    supports = list(Support.objects.filter(champion_id__in=ids, active=True).select_related("programme").order_by("programme__code"))
    programme_ids = sorted({s.programme_id for s in supports})
    context: dict[str, Any] = {
        "entries": entries,
        "waiting": [c for c in entries if c.status == Champion.Status.NOMINATED],
        "active": active,
        "units": units,
        "supports": supports,
        "loads": loads(champions=ids),
        "activities": list(Activity.objects.filter(champion_id__in=ids).select_related("programme", "unit")[:SHORT]),
        "thanks": list(thanks_for(ids, SHORT)),
        "decline_form": DeclineForm(),
    }
    if not units:
        return context
    in_units = subtree_q(paths, "unit__path")
    # Readiness: the readiness app's stored scores (its suppression applied).
    scores = latest_scores({pid: [u.pk for u in units] for pid in programme_ids})
    by_programme = {s.programme_id: s.programme for s in supports}
    context["scores"] = [(by_programme[pid], unit, row, rag_for(row)) for (pid, unit_id), row in sorted(scores.items())
                         for unit in units if unit.pk == unit_id]
    context["scored_programmes"] = [by_programme[pid] for pid in programme_ids]
    # Open actions about their units (at, below or above) or programme-wide for their programmes.
    actions = (Action.objects.restrict(user).filter(status__in=Action.OPEN_STATUSES)
               .filter(in_units | Q(unit__path__in=_ancestors(paths)) | Q(unit__isnull=True, programme_id__in=programme_ids))
               .select_related("programme").order_by("due_date", "pk"))
    context["actions"], context["actions_count"] = _short(actions)
    # Go-lives reaching their units (a wave's unit at or above theirs, or below).
    reaching = subtree_q(paths, "units__path") | Q(units__path__in=_ancestors(paths))
    wave_ids = list(RolloutWave.objects.restrict(user).filter(go_live_date__gte=today).filter(reaching).values_list("pk", flat=True).distinct())
    waves = RolloutWave.objects.filter(pk__in=wave_ids).select_related("programme").order_by("go_live_date", "pk")
    context["golives"], context["golives_count"] = _short(waves)
    tasks = (Task.objects.restrict(user).filter(runbook__rollout_wave_id__in=wave_ids, runbook__is_template=False)
             .exclude(runbook__mode__in=(Runbook.Mode.COMPLETE, Runbook.Mode.ABANDONED))
             .select_related("runbook").order_by("runbook__planned_start", "runbook_id", "position", "pk"))
    context["tasks"], context["tasks_count"] = _short(tasks)
    queries = (Query.objects.restrict(user).filter(status__in=Query.OPEN_STATUSES).filter(in_units)
               .select_related("unit").order_by("-created_at", "-pk"))
    context["queries"], context["queries_count"] = _short(queries)
    reach = MessageReach.objects.filter(message=OuterRef("pk"), headcount__gt=0).filter(in_units)
    comms = (Message.objects.restrict(user).filter(Exists(reach), planned_on__gte=today).exclude(status=Message.Status.CANCELLED)
             .select_related("programme").order_by("planned_on", "pk"))
    context["comms"], context["comms_count"] = _short(comms)
    return context


class MineView(ScopedMixin, TemplateView):
    request: AuthenticatedHttpRequest
    model = Champion
    template_name = "network/mine.html"
    page_title = "My champion page"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(own_page(self.request.user))
        return context


class _Answer(ScopedMixin, View):
    """POST only, from the champion's own page: the nominee's own entry, 404 for anyone else."""

    request: AuthenticatedHttpRequest
    model = Champion
    http_method_names = ["post"]

    def answer(self, champion: Champion, request: HttpRequest) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        champion = get_object_or_404(Champion, pk=pk, user=self.request.user)
        try:
            messages.success(request, self.answer(champion, request))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(reverse("network-mine"))


class AcceptView(_Answer):
    def answer(self, champion: Champion, request: HttpRequest) -> str:
        champion_accept(champion=champion, actor=self.request.user)
        return "Thank you: you are now a change champion."


class DeclineView(_Answer):
    def answer(self, champion: Champion, request: HttpRequest) -> str:
        form = DeclineForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        champion_decline(champion=champion, actor=self.request.user, reason=reason)
        return "You have declined the nomination."
