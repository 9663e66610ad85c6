"""Survey wave pages: the list, building a wave, one wave with its live
response tracking, the launch/cancel/close actions, who was deferred, and
the portfolio's survey policy.

Reads go through `restrict()` (out of scope is 404, a role that never may
is 403); writes go through `surveys.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.accounts.models import User
from changeboard.core import exports
from changeboard.core.params import parse_id
from changeboard.core.scoping import ADD, CHANGE, can, is_admin
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from .. import services, tracking
from ..filtersets import DeferralFilterSet, WaveFilterSet
from ..forms import PolicyForm, WaveForm, instrument_choices, unit_choices
from ..models import AudienceCell, Deferral, SurveyPolicy, SurveyWave
from ..tables import DeferralTable, WaveTable

Status = SurveyWave.Status


def changeable_waves(user: User | AnonymousUser) -> QuerySet:
    return SurveyWave.objects.restrict(user, CHANGE).filter(programme__in=Programme.objects.restrict(user, CHANGE))


def _cell_sum(name: str) -> Any:
    total = AudienceCell.objects.filter(wave=OuterRef("pk")).values("wave").annotate(n=Sum(name)).values("n")
    return Coalesce(Subquery(total), 0)


class WaveListView(ScopedListView):
    model = SurveyWave
    table_class = WaveTable
    filterset_class = WaveFilterSet
    template_name = "surveys/wave_list.html"
    page_title = "Readiness surveys"
    export_name = "survey-waves"
    export_columns = [
        ("Programme", "programme__code"), ("Title", "title"), ("Round", "round_number"), ("Opens", "opens_on"),
        ("Closes", "closes_on"), ("Status", "status"), ("Invited", "invited_total"), ("Responded", "responded_total"),
    ]

    def get_queryset(self) -> QuerySet:
        return (super().get_queryset().select_related("programme")
                .annotate(invited_total=_cell_sum("invited"), responded_total=_cell_sum("responded")))

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        paths = [path for _, path in self.export_columns]
        at_invited, at_responded = paths.index("invited_total"), paths.index("responded_total")
        rows = []
        for values in queryset.values_list(*paths, "min_responses"):
            row = list(values[:-1])
            if row[at_invited] < values[-1]:
                row[at_responded] = "too few to show"
            rows.append(row)
        return exports.export_response(fmt, self.export_name, [label for label, _ in self.export_columns], rows)  # type: ignore[return-value]  # a CSV export streams, as the base export does

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, SurveyWave, ADD) and Programme.objects.restrict(self.request.user, CHANGE).exists()
        return context


class WaveFormView(ServiceFormView):
    """Build a new wave, or change one that has not opened."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = SurveyWave
    form_class = WaveForm
    template_name = "surveys/wave_form.html"
    submit_label = "Save wave"
    success_message = "Wave saved. Check the audience, then launch it."
    object: SurveyWave | None

    def get_object(self) -> Model | None:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(changeable_waves(self.request.user), pk=self.kwargs["pk"])

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.action = CHANGE if "pk" in kwargs else ADD  # type: ignore[misc]  # per request (add or change), before ScopedMixin checks it
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs.update(programmes=Programme.objects.restrict(user, CHANGE).order_by("code"),
                      instruments=instrument_choices(user), units=unit_choices(user))
        if self.object is None:
            policy = SurveyPolicy.current()
            kwargs["initial"] = {"min_responses": policy.min_responses, "min_comments": policy.min_comments,
                                 "programme": self.request.GET.get("programme")}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Change {self.object}" if self.object else "New survey wave"
        return context

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object else reverse("wave-list")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        crumbs = [("Readiness surveys", reverse("wave-list"))]
        if self.object:
            crumbs.append((str(self.object), self.object.get_absolute_url()))
        return [*crumbs, ("Change" if self.object else "New wave", "")]

    def perform(self, form: Any) -> Model:
        data = dict(form.cleaned_data)
        units = data.pop("units")
        data["roles"] = data.pop("roles_text")
        instrument = data.pop("instrument")
        if self.object is not None:
            if not data.get("recurrence") or data["recurrence"] == SurveyWave.Recurrence.NONE:
                data["repeat_until"] = None
            return services.wave_update(wave=self.object, units=units, instrument=instrument, actor=self.request.user, **data)
        programme = data.pop("programme")
        return services.wave_create(programme=programme, instrument=instrument, units=units, actor=self.request.user, **data)


class WaveDetailView(ScopedDetailView):
    """One wave: what it asks, who it reaches, and live response tracking."""

    model = SurveyWave
    template_name = "surveys/wave_detail.html"
    context_object_name = "wave"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "instrument", "series")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Readiness surveys", reverse("wave-list")), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        wave: SurveyWave = self.object
        context["page_title"] = str(wave)
        context["can_change"] = changeable_waves(self.request.user).filter(pk=wave.pk).exists()
        context["questions"] = wave.instrument.ordered_questions()
        if wave.status in {Status.DRAFT, Status.SCHEDULED}:
            context["audience"] = services.audience_estimate(wave)
        context.update(rates_context(wave, self.request))
        # Scores only once closed: a live figure compared before and after
        # one person answers would give that person's answers away.
        if wave.status == Status.CLOSED:
            context.update(readiness_context(wave, context["rate_parent"]))
        context["deferred"] = Deferral.objects.restrict(self.request.user).filter(wave=wave).count()
        context["rounds"] = (SurveyWave.objects.restrict(self.request.user).filter(series=wave.series or wave)
                             .exclude(pk=wave.pk).order_by("round_number")[:60]) if wave.recurrence != SurveyWave.Recurrence.NONE else []
        return context


def rates_context(wave: SurveyWave, request: HttpRequest) -> dict[str, Any]:
    unit_id = request.GET.get("unit", "")
    found, parent = tracking.breakdown_parent(request.user, parse_id(unit_id))
    if not found:
        raise Http404
    parent, rows = tracking.unit_rows(wave, parent)
    crumbs = []
    if parent is not None:
        # Only the units the user may open (a champion's start at their own).
        ancestors = Unit.objects.restrict(request.user).filter(pk__in=[u.pk for u in Unit.objects.get_ancestors(parent)]).order_by("depth")
        crumbs = [(u.name, u.pk) for u in ancestors] + [(parent.name, None)]
    return {"total": tracking.wave_total(wave), "unit_rows": rows, "rate_parent": parent, "rate_crumbs": crumbs,
            "group_rows": tracking.role_group_rows(wave)}


def readiness_context(wave: SurveyWave, parent: Unit | None) -> dict[str, Any]:
    """The closed wave's readiness figures: the very figures of the
    programme's readiness scores page for this wave and unit (issue 18: the
    two pages used to compute them apart and disagreed), so the same
    weighting and suppression apply. Comments keep their own threshold.
    The figures come from the readiness app (above surveys) through
    `tracking.wave_score_rows`, which it registers when it loads."""
    from ..models import Adkar

    groups, total = tracking.readiness_level(wave, parent)
    if any(g.comments for g in groups):
        total.comments = None  # listed under the units already
    unit, rows, not_enough = tracking.wave_score_rows(wave, parent)
    return {"readiness": groups, "readiness_total": total, "readiness_rows": rows, "readiness_unit": unit, "adkar": Adkar.choices,
            "not_enough": not_enough}


class WaveRatesView(ScopedDetailView):
    """The response-tracking table alone: polled by htmx on an open wave's
    page, and downloadable as CSV or XLSX with the same suppression."""

    model = SurveyWave
    template_name = "surveys/_rates.html"
    context_object_name = "wave"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        fmt = request.GET.get("export")
        if fmt in {"csv", "xlsx"}:
            context = rates_context(self.object, request)
            headers = ["Group", "Invited", "Responded", "Imported", "Response rate %"]
            rows = [[r.label, r.invited, *(["fewer than threshold"] * 3 if r.suppressed else [r.responded, r.imported, r.rate])]
                    for r in [context["total"], *context["unit_rows"], *context["group_rows"]]]
            return exports.export_response(fmt, f"wave-{self.object.pk}-response-rates", headers, rows)  # type: ignore[return-value]  # a CSV export streams
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_template_names(self) -> list[str]:
        if self.request.GET.get("summary"):
            return ["surveys/_rates_summary.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(rates_context(self.object, self.request))
        return context


class WaveActionView(ScopedMixin, View):
    """POST only: launch, cancel or close."""

    model = SurveyWave
    action = CHANGE
    http_method_names = ["post"]
    DONE = {
        "launch": "Wave launched. Invitations are sent on the opening date by the background worker.",
        "cancel": "Wave cancelled. Nobody was contacted.",
        "close": "Wave closed. Links in invitations no longer accept answers.",
    }

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = kwargs["action"]
        if name not in self.DONE:
            raise Http404
        wave = get_object_or_404(changeable_waves(request.user), pk=kwargs["pk"])
        if request.POST.get("confirm") != "yes":
            # Never one click (issue 18): a post without the confirmation
            # page's answer goes to that page and changes nothing.
            return redirect("wave-confirm", pk=wave.pk, action=name)
        handler = {"launch": services.wave_launch, "cancel": services.wave_cancel, "close": services.wave_close}[name]
        try:
            handler(wave=wave, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(wave.get_absolute_url())
        messages.success(request, self.DONE[name])
        return redirect(wave.get_absolute_url())


class WaveConfirmView(ScopedMixin, TemplateView):
    """The confirmation step of launching, cancelling or closing a wave: what
    will happen, and a button that does it (a plain form: keyboard and
    screen-reader friendly, no script)."""

    model = SurveyWave
    action = CHANGE
    template_name = "surveys/wave_confirm.html"
    ALLOWED = {"launch": {Status.DRAFT}, "cancel": {Status.DRAFT, Status.SCHEDULED}, "close": {Status.OPEN}}
    VERBS = {"launch": "Launch", "cancel": "Cancel", "close": "Close"}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = kwargs["action"]
        if name not in self.ALLOWED:
            raise Http404
        self.wave = get_object_or_404(changeable_waves(request.user).select_related("programme"), pk=kwargs["pk"])
        if self.wave.status not in self.ALLOWED[name]:
            messages.error(request, f"This wave is {self.wave.get_status_display().lower()}: it cannot be {name}ed now."
                           if name != "cancel" else f"This wave is {self.wave.get_status_display().lower()}: it cannot be cancelled now.")
            return redirect(self.wave.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Readiness surveys", reverse("wave-list")), (str(self.wave), self.wave.get_absolute_url())]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        name = self.kwargs["action"]
        wave = self.wave
        context.update(wave=wave, confirm_action=name, verb=self.VERBS[name],
                       page_title=f"{self.VERBS[name]} {wave}?")
        if name == "launch":
            context["audience"] = services.audience_estimate(wave)
        if name == "close":
            context["total"] = tracking.wave_total(wave)
        return context


class DeferralListView(ScopedListView):
    """Who a wave did not invite, and why (contact budget, no email)."""

    model = SurveyWave
    table_class = DeferralTable
    filterset_class = DeferralFilterSet
    template_name = "surveys/deferrals.html"
    export_name = "deferred"
    export_columns = [("First name", "staff__first_name"), ("Last name", "staff__last_name"), ("Staff number", "staff__staff_number"),
                      ("Reason", "reason"), ("Last invited", "last_contacted_on"), ("Can be asked from", "eligible_from"),
                      ("Next round", "next_round_on")]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and can(request.user, SurveyWave):
            self.wave = get_object_or_404(SurveyWave.objects.restrict(request.user).select_related("programme"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return Deferral.objects.restrict(self.request.user).filter(wave=self.wave).select_related("staff")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"People deferred from {self.wave}"
        context["wave"] = self.wave
        context["policy"] = SurveyPolicy.current()
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Readiness surveys", reverse("wave-list")), (str(self.wave), self.wave.get_absolute_url()), ("Deferred", "")]


class PolicyView(ServiceFormView):
    """The portfolio's survey rules: everyone who sees surveys may read them;
    only administrators change them."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = SurveyPolicy
    action = "view"
    form_class = PolicyForm
    template_name = "surveys/policy.html"
    submit_label = "Save rules"
    success_message = "Survey rules saved. They apply to waves created or launched from now on."
    page_title = "Survey rules"

    def get_object(self) -> Model | None:
        return SurveyPolicy.current()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_admin(request.user):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_change"] = is_admin(self.request.user)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Readiness surveys", reverse("wave-list")), ("Survey rules", "")]

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]  # ServiceFormView's hook takes the saved object
        return reverse("survey-policy")

    def perform(self, form: Any) -> Model:
        return services.policy_update(actor=self.request.user, **form.cleaned_data)
