"""Pages for business-readiness reviews: a programme's reviews (upcoming,
then decided), planning and changing one, its page (live evidence while
undecided, the frozen snapshot once decided) and recording the decision.

Champions and auditors never see reviews (403: `Review.role_actions`);
out-of-scope programmes and reviews answer 404. Writes go through
`services.reviews`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.params import parse_id
from changeboard.core.scoping import ADD, CHANGE, VIEW, can
from changeboard.core.views import ScopedDetailView, ScopedMixin, ServiceFormView
from changeboard.portfolio.models import Programme, RolloutWave

from ..forms.reviews import ReviewDecideForm, ReviewForm
from ..models import Action, Review
from ..scores import ELEMENT_LABELS
from ..services import reviews as services
from ..tables.reviews import ReviewTable

DECIDE = "decide"


def _programme(request: HttpRequest, pk: int) -> Programme:
    return get_object_or_404(Programme.objects.restrict(request.user), pk=pk)


def _crumbs(programme: Programme) -> list[tuple[str, str]]:
    return [("Programmes", reverse("programme-list")), (programme.code, programme.get_absolute_url()),
            ("Readiness reviews", reverse("review-list", args=[programme.pk]))]


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else value


def present(evidence: dict[str, Any]) -> dict[str, Any]:
    """The snapshot's ISO dates as dates, for the templates to format."""
    data = dict(evidence)
    data["as_of"] = _date(evidence["as_of"])
    data["recorded_on"] = _date(evidence.get("recorded_on"))
    data["criteria"] = [{**c, "as_of": _date(c.get("as_of"))} for c in evidence.get("criteria", [])]
    data["scores"] = [{**s, "closes_on": _date(s.get("closes_on")),
                       "means_list": [s["means"].get(e) for e in ELEMENT_LABELS] if s.get("means") else []}
                      for s in evidence.get("scores", [])]
    data["actions"] = [{**a, "due_date": _date(a.get("due_date"))} for a in evidence.get("actions", [])]
    return data


class ReviewListView(ScopedMixin, TemplateView):
    """A programme's reviews: upcoming first (soonest on top), then decided
    (latest on top), with a button adding a wave's default checkpoints."""

    model = Review
    template_name = "readiness/review_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.programme = _programme(request, kwargs["programme_pk"])
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs(self.programme)[:2] + [("Readiness reviews", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        reviews = self.get_queryset().filter(programme=self.programme).select_related("rollout_wave")
        can_add = can(user, Review, ADD) and Programme.objects.restrict(user, CHANGE).filter(pk=self.programme.pk).exists()
        context.update(
            page_title=f"Readiness reviews: {self.programme.name}", programme=self.programme,
            upcoming=ReviewTable(reviews.filter(decision="").order_by("scheduled_on", "pk"), empty_text="No reviews are planned."),
            decided=ReviewTable(reviews.exclude(decision="").order_by("-held_on", "-pk"), empty_text="No review has been decided yet."),
            can_add=can_add, waves=self.programme.waves.order_by("go_live_date", "name") if can_add else [],
            can_add_action=can(user, Action, ADD),
        )
        return context


class ReviewDefaultsView(ScopedMixin, View):
    """POST only: add the wave's missing default checkpoints."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Review
    action = ADD
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        programme = get_object_or_404(Programme.objects.restrict(request.user, CHANGE), pk=kwargs["programme_pk"])
        back = redirect(reverse("review-list", args=[programme.pk]))
        wave_id = request.POST.get("rollout_wave", "")
        wave = RolloutWave.objects.filter(programme=programme, pk=wave_pk).first() if (wave_pk := parse_id(wave_id)) else None
        if wave is None:
            messages.error(request, "Choose a rollout wave of this programme.")
            return back
        created = services.reviews_add_defaults(rollout_wave=wave, actor=self.request.user)
        if created:
            messages.success(request, f"Added {len(created)} review{'s' if len(created) != 1 else ''} for {wave.name}: "
                                      + ", ".join(r.get_checkpoint_display() for r in created) + ".")
        else:
            messages.success(request, f"{wave.name} already has every default checkpoint.")
        return back


class ReviewFormView(ServiceFormView):
    """Plan a review (`programme_pk`) or change an undecided one (`pk`)."""

    model = Review
    form_class = ReviewForm
    submit_label = "Save review"
    success_message = "Review saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.action = CHANGE if "pk" in kwargs else ADD  # type: ignore[misc]  # per request: planning is an add, changing a review a change
        return super().dispatch(request, *args, **kwargs)

    def get_object(self) -> Model | None:
        if "pk" not in self.kwargs:
            self.programme = get_object_or_404(Programme.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["programme_pk"])
            return None
        review = get_object_or_404(self.get_queryset().select_related("programme"), pk=self.kwargs["pk"])
        self.programme = review.programme
        return review

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_decided() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_decided() or super().post(request, *args, **kwargs)

    def _refuse_decided(self) -> HttpResponse | None:
        if isinstance(self.object, Review) and self.object.decided:
            messages.error(self.request, "This review has been decided: a decided review cannot be changed.")
            return redirect(self.object.get_absolute_url())
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "programme": self.programme}
        if self.object is None:
            kwargs["initial"] = {"rollout_wave": self.request.GET.get("rollout_wave")}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Change {self.object}" if self.object else f"Plan a readiness review: {self.programme.code}"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        crumbs = _crumbs(self.programme)
        if self.object is not None:
            crumbs.append((str(self.object), self.object.get_absolute_url()))  # type: ignore[attr-defined]
        return [*crumbs, ("Change" if self.object else "New review", "")]

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object else reverse("review-list", args=[self.programme.pk])  # type: ignore[attr-defined]

    def perform(self, form: ReviewForm) -> Model:
        return services.review_save(programme=self.programme, review=self.object, actor=self.request.user,  # type: ignore[arg-type]
                                    **form.cleaned_data)


class ReviewDetailView(ScopedDetailView):
    """Undecided: the evidence as it stands today (what deciding would
    freeze). Decided: the frozen snapshot, dated, and who decided."""

    model = Review
    template_name = "readiness/review_detail.html"
    context_object_name = "review"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "rollout_wave", "decided_by")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*_crumbs(self.object.programme), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        review: Review = self.object
        user = self.request.user
        live = not review.decided or not review.snapshot
        evidence = services.review_snapshot(review, timezone.localdate()) if live else cast(dict[str, Any], review.snapshot)
        if not live and not evidence.get("recorded_on") and review.decided_at:
            # Snapshots frozen before `recorded_on` was kept: the day the decision was recorded.
            evidence = {**evidence, "recorded_on": timezone.localdate(review.decided_at).isoformat()}
        in_scope = Review.objects.restrict(user, CHANGE).filter(pk=review.pk).exists()
        context.update(
            page_title=str(review), live=live, evidence=present(evidence), elements=list(ELEMENT_LABELS.values()),
            can_change=not review.decided and can(user, Review, CHANGE) and in_scope,
            can_decide=not review.decided and Review.objects.restrict(user, DECIDE).filter(pk=review.pk).exists(),
            can_add_action=can(user, Action, ADD),
            raised=Action.objects.restrict(user, VIEW).filter(review=review).select_related("owner").order_by("due_date", "pk"),
        )
        return context


class ReviewDecideView(ServiceFormView):
    """Record the decision once. The blockers are shown beside the form; an
    override reason is asked for only while they exist."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Review
    action = DECIDE
    form_class = ReviewDecideForm
    template_name = "readiness/review_decide.html"
    submit_label = "Record the decision"
    success_message = "Decision recorded. The evidence it rested on has been frozen with it."

    def get_object(self) -> Model | None:
        review = get_object_or_404(self.get_queryset().select_related("programme", "rollout_wave"), pk=self.kwargs["pk"])
        self.blockers = services.review_blockers(review)
        return review

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_decided() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_decided() or super().post(request, *args, **kwargs)

    def _refuse_decided(self) -> HttpResponse | None:
        if isinstance(self.object, Review) and self.object.decided:
            messages.error(self.request, "This review has already been decided: a decided review cannot be changed.")
            return redirect(self.object.get_absolute_url())
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "blockers": bool(self.blockers)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(page_title=f"Record the decision: {self.object}", review=self.object, blockers=self.blockers,
                       can_override=services.can_override(self.request.user))
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        review: Review = self.object  # type: ignore[assignment]
        return [*_crumbs(review.programme), (str(review), review.get_absolute_url()), ("Decision", "")]

    def perform(self, form: ReviewDecideForm) -> Model:
        data = form.cleaned_data
        return services.review_decide(
            review=self.object, decision=data["decision"], conditions=data.get("conditions", ""), notes=data.get("notes", ""),  # type: ignore[arg-type]
            override_reason=data.get("override_reason", ""), held_on=data.get("held_on"), actor=self.request.user,
            raise_actions=bool(data.get("raise_actions")), action_owner=data.get("action_owner"), action_due_date=data.get("action_due_date"),
        )

