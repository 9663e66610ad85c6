"""The champion pool's pages: the pool (filters, CSV/XLSX), a champion's
page, nominating (by staff number, or prefilled from a coverage gap's
candidates), changing, standing down and reviewing an entry, a programme's
ask (hours, end), and the load across programmes. Every write goes through
`services.champions`.

Scoping: the pool is force-wide (change managers, the Board and auditors
see every entry; a champion sees the champions in their units and always
themselves). A change manager changes only the champions supporting one of
their programmes (or nominated by them), and a programme's ask only for
their programmes; anything else is a 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField, id_or_404, parse_id, parse_page
from changeboard.core.scoping import ADD, CHANGE, VIEW, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.organisation.models import Staff
from changeboard.portfolio.filtersets import programmes_in_scope
from changeboard.portfolio.models import Programme

from ..filtersets.pool import ChampionFilterSet
from ..forms.pool import ChampionForm, ConfirmForm, EndForm, NominateForm, ReviewForm, SupportForm, programmes_to_ask
from ..models import Activity, Champion, Support, Theme
from ..services import champions as services
from ..services.activities import supported
from ..services.load import Load, live_supports, loads, with_asked
from ..services.recognition import may_thank, thanks_for
from ..tables.pool import EXPORT_HEADERS, ChampionTable, export_row, hours, role_group_label

POOL = ("Champions", "champion-list")
LOAD_PER_PAGE = 100
LOAD_HEADERS = ["Champion", "Staff number", "Unit", "Status", "Hours agreed", "Hours asked", "Percent of agreed", "Over-committed",
                "Programmes asking (hours)"]


def _pool_crumb() -> tuple[str, str]:
    return (POOL[0], reverse(POOL[1]))


def pool_rows(queryset: QuerySet) -> QuerySet:
    """The pool's rows: the HR record, the hours asked now, the live asks."""
    return with_asked(queryset.select_related("staff__unit", "staff__rank_grade")).prefetch_related(live_supports())


class ChampionListView(ScopedListView):
    request: AuthenticatedHttpRequest
    model = Champion
    table_class = ChampionTable
    filterset_class = ChampionFilterSet
    template_name = "network/champion_list.html"
    page_title = "Champion pool"
    export_name = "champions"
    export_columns = [(header, "") for header in EXPORT_HEADERS]

    def get_queryset(self) -> QuerySet:
        return pool_rows(super().get_queryset()).order_by("staff__last_name", "staff__first_name", "pk")

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        rows = (export_row(champion) for champion in queryset.iterator(chunk_size=500))
        return exports.export_response(fmt, self.export_name, EXPORT_HEADERS, rows if fmt == "csv" else list(rows))  # type: ignore[return-value]  # a CSV export streams

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = Champion.objects.restrict(user)
        context.update(can_nominate=can(user, Champion, ADD) and programmes_to_ask(user).exists(),
                       review_count=visible.exclude(needs_review="").exclude(status__in=(Champion.Status.ENDED, Champion.Status.DECLINED))
                       .count())
        return context


class ChampionMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_champion(self, action: str = VIEW) -> Champion:
        queryset = Champion.objects.restrict(self.request.user, action).select_related("staff__unit", "staff__rank_grade", "user")
        return get_object_or_404(queryset, pk=id_or_404(self.kwargs["pk"]))


class ChampionDetailView(ScopedDetailView):
    request: AuthenticatedHttpRequest
    model = Champion
    template_name = "network/champion_detail.html"
    context_object_name = "champion"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("staff__unit", "staff__rank_grade", "user", "nominated_by", "known_unit")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_pool_crumb(), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        champion: Champion = self.object
        supports = list(champion.supports.select_related("programme").order_by("-active", "programme__code"))
        changeable = set(Support.objects.restrict(user, CHANGE).filter(champion=champion).values_list("pk", flat=True))
        load = loads(champions=[champion.pk])
        live = champion.status in services.LIVE_STATUSES
        context.update(
            page_title=str(champion), role_group=role_group_label(champion), units=champion.units.order_by("path"),
            supports=[(s, s.pk in changeable) for s in supports], load=load[0] if load else None,
            can_change=live and services.can_change(user, champion),
            can_review=bool(champion.needs_review) and services.can_change(user, champion),
            can_ask=live and can(user, Champion, ADD) and programmes_to_ask(user).exclude(
                champion_supports__in=champion.supports.filter(active=True)).exists(),
        )
        context.update(self._cross_links(champion, live))
        return context

    def _cross_links(self, champion: Champion, live: bool) -> dict[str, Any]:
        """Links to the champion's activities, feedback, planning and thanks,
        each only for those who may follow it."""
        user = self.request.user
        plan_for: list[Programme] = []
        if champion.status == Champion.Status.ACTIVE and can(user, Activity, ADD) and user.role in ("admin", "change_manager"):
            programmes = supported(champion)
            plan_for = list(programmes if user.role == "admin" else programmes.filter(pk__in=user.programmes.values("pk")))
        return {
            "activities_seen": Activity.objects.restrict(user).filter(champion=champion).count() if can(user, Activity, VIEW) else None,
            "themes_heard": Theme.objects.restrict(user).filter(champion=champion).count() if can(user, Theme, VIEW) else None,
            "plan_for": plan_for,
            "can_thank": live and may_thank(user, champion),
            "thanks": thanks_for([champion.pk], limit=10),
        }


class NominateView(ServiceFormView):
    """Nominate someone by staff number for a programme you lead.
    `?programme=<pk>&staff=<pk>` prefills both (from a coverage gap's
    candidates) and shows who the person is."""

    request: AuthenticatedHttpRequest
    model = Champion
    action = ADD
    form_class = NominateForm
    template_name = "network/champion_nominate.html"
    page_title = "Nominate a champion"
    submit_label = "Nominate"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and can(request.user, Champion, ADD) and not programmes_to_ask(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def prefill_staff(self) -> Staff | None:
        pk = parse_id(self.request.GET.get("staff"))
        return Staff.objects.select_related("unit", "rank_grade").filter(pk=pk).first() if pk else None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        if self.request.method == "GET":
            initial: dict[str, Any] = {}
            programme = parse_id(self.request.GET.get("programme"))
            if programme and programmes_to_ask(self.request.user).filter(pk=programme).exists():
                initial["programme"] = programme
            staff = self.prefill_staff()
            if staff is not None:
                initial["staff_number"] = staff.staff_number
            kwargs["initial"] = initial
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        staff = self.prefill_staff() if self.request.method == "GET" else None
        existing = Champion.objects.filter(staff=staff).first() if staff else None
        context.update(person=staff, existing=existing, breadcrumbs=[_pool_crumb(), ("Nominate", "")])
        return context

    def get_cancel_url(self) -> str:
        return reverse("champion-list")

    def perform(self, form: NominateForm) -> Model:
        data = form.service_kwargs()
        existing = Champion.objects.filter(staff=data["staff"], status__in=services.LIVE_STATUSES).first()
        champion = services.champion_nominate(actor=self.request.user, **data)
        programme = data["programme"]
        if existing is not None:
            self.success_message = (f"{champion} is already in the pool ({existing.get_status_display().lower()}): "
                                    f"{programme.code}'s ask of {hours(data['hours_asked'])} hours a month has been added to their entry.")
        else:
            self.success_message = f"{champion} has been nominated for {programme.code}. They accept or decline on their own page."
        return champion


class ChampionEditView(ChampionMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Champion
    action = CHANGE
    form_class = ChampionForm
    template_name = "network/champion_form.html"
    success_message = "Champion saved."

    def get_object(self) -> Model | None:
        return self.get_champion(CHANGE)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert isinstance(self.object, Champion)
        context.update(page_title=f"Change {self.object}'s entry", breadcrumbs=[
            _pool_crumb(), (str(self.object), self.object.get_absolute_url()), ("Change", "")])
        return context

    def perform(self, form: ChampionForm) -> Model:
        assert isinstance(self.object, Champion)
        data = dict(form.cleaned_data)
        units = list(data.pop("units"))
        return services.champion_update(champion=self.object, actor=self.request.user, units=units, **data)


class ChampionEndView(ChampionMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Champion
    action = CHANGE
    form_class = EndForm
    template_name = "network/champion_form.html"
    submit_label = "Stand them down"
    success_message = "They have stood down; every programme's ask of them has ended."

    def get_object(self) -> Model | None:
        return self.get_champion(CHANGE)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert isinstance(self.object, Champion)
        context.update(page_title=f"Stand {self.object} down", warning="Their account stops seeing their units on their last day.",
                       breadcrumbs=[_pool_crumb(), (str(self.object), self.object.get_absolute_url()), ("Stand down", "")])
        return context

    def perform(self, form: EndForm) -> Model:
        assert isinstance(self.object, Champion)
        return services.champion_end(champion=self.object, actor=self.request.user, end_date=form.cleaned_data.get("end_date"))


class ChampionReviewView(ChampionMixin, ServiceFormView):
    """Clear the HR sync's flag: a leaver stands down, a mover's units
    follow them (or stay)."""

    request: AuthenticatedHttpRequest
    model = Champion
    action = CHANGE
    form_class = ReviewForm
    template_name = "network/champion_form.html"
    submit_label = "Mark as reviewed"
    success_message = "Marked as reviewed."

    def get_object(self) -> Model | None:
        return self.get_champion(CHANGE)

    def get_form_kwargs(self) -> dict[str, Any]:
        assert isinstance(self.object, Champion)
        return {**super().get_form_kwargs(), "leaver": self.object.needs_review == services.LEFT}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        champion = self.object
        assert isinstance(champion, Champion)
        if not champion.needs_review:
            note = "Nothing to review: the entry matches the HR record."
        elif champion.needs_review == services.LEFT:
            note = "They have left the force. Marking this as reviewed stands them down and ends every programme's ask of them."
        else:
            note = f"{champion.needs_review}. They now work in {champion.staff.unit.name}."
        context.update(page_title=f"Review {champion}'s entry", intro=note,
                       breadcrumbs=[_pool_crumb(), (str(champion), champion.get_absolute_url()), ("Review", "")])
        return context

    def perform(self, form: ReviewForm) -> Model:
        assert isinstance(self.object, Champion)
        follow = form.cleaned_data.get("follow_move", True)
        return services.champion_review(champion=self.object, actor=self.request.user, follow_move=follow is not False)


class SupportMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_support(self) -> Support:
        queryset = Support.objects.restrict(self.request.user, CHANGE).select_related("programme", "champion__staff")
        return get_object_or_404(queryset, pk=id_or_404(self.kwargs["pk"]))


class SupportEditView(SupportMixin, ServiceFormView):
    """Set the hours a programme asks of a champion (re-opens an ended ask)."""

    request: AuthenticatedHttpRequest
    model = Support
    action = CHANGE
    form_class = SupportForm
    template_name = "network/champion_form.html"
    success_message = "Hours saved."

    def get_object(self) -> Model | None:
        return self.get_support()

    def get_initial(self) -> dict[str, Any]:
        assert isinstance(self.object, Support)
        return {"hours_asked": self.object.hours_asked}

    def get_cancel_url(self) -> str:
        assert isinstance(self.object, Support)
        return self.object.champion.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        support = self.object
        assert isinstance(support, Support)
        context.update(page_title=f"{support.programme.code}'s ask of {support.champion}",
                       intro=f"They agreed to give {hours(support.champion.hours_agreed)} hours a month to every programme together.",
                       breadcrumbs=[_pool_crumb(), (str(support.champion), support.champion.get_absolute_url()),
                                    (support.programme.code, "")])
        return context

    def perform(self, form: SupportForm) -> Model:
        assert isinstance(self.object, Support)
        support = services.support_set(champion=self.object.champion, programme=self.object.programme,
                                       hours_asked=form.cleaned_data["hours_asked"], actor=self.request.user)
        return support.champion


class SupportEndView(SupportMixin, ServiceFormView):
    """Confirm, then end a programme's ask of a champion."""

    request: AuthenticatedHttpRequest
    model = Support
    action = CHANGE
    form_class = ConfirmForm
    template_name = "network/champion_form.html"
    submit_label = "End the ask"
    success_message = "The programme no longer asks for their help."

    def get_object(self) -> Model | None:
        return self.get_support()

    def get_cancel_url(self) -> str:
        assert isinstance(self.object, Support)
        return self.object.champion.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        support = self.object
        assert isinstance(support, Support)
        context.update(page_title=f"End {support.programme.code}'s ask of {support.champion}",
                       intro="They stay in the pool for any other programme they support.",
                       breadcrumbs=[_pool_crumb(), (str(support.champion), support.champion.get_absolute_url()),
                                    (support.programme.code, "")])
        return context

    def perform(self, form: ConfirmForm) -> Model:
        assert isinstance(self.object, Support)
        services.support_end(support=self.object, actor=self.request.user)
        return self.object.champion


# ---------------------------------------------------------------------------
# Load across programmes


class LoadFilterForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=Programme.objects.none(), required=False, label="Programme", empty_label="Every programme",
                              error_messages={"invalid_choice": "Choose one of the programmes listed"})

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_in_scope(request)  # type: ignore[attr-defined]


def load_row(load: Load) -> list[Any]:
    staff = load.champion.staff
    asks = "; ".join(f"{programme.code}: {hours(asked)}" for programme, asked in load.asks)
    return [str(load.champion), staff.staff_number, staff.unit.name, load.champion.get_status_display(), load.agreed, load.asked,
            load.percent, "Yes" if load.over else "No", asks]


class LoadView(ScopedMixin, TemplateView):
    """Every champion's hours asked by all programmes against the hours
    agreed, over-committed first; with a programme chosen, its champions
    and every other programme asking the same person. `?export=csv|xlsx`."""

    request: AuthenticatedHttpRequest
    model = Champion
    template_name = "network/load.html"
    page_title = "Champion load"

    def rows(self) -> tuple[LoadFilterForm, Programme | None, list[Load]]:
        form = LoadFilterForm(self.request.GET or None, request=self.request)
        programme = form.cleaned_data.get("programme") if form.is_bound and form.is_valid() else None
        return form, programme, loads(programme, within=Champion.objects.restrict(self.request.user))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        if fmt in {"csv", "xlsx"}:
            _, programme, rows = self.rows()
            name = f"champion-load-{programme.code}" if programme else "champion-load"
            return exports.export_response(fmt, name, LOAD_HEADERS, [load_row(r) for r in rows])  # type: ignore[return-value]  # a CSV export streams
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_pool_crumb(), ("Load", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form, programme, rows = self.rows()
        page = Paginator(rows, LOAD_PER_PAGE).get_page(parse_page(self.request.GET.get("page")) or 1)
        context.update(form=form, programme=programme, page=page, total=len(rows), over=sum(1 for r in rows if r.over),
                       shared=sum(1 for r in rows if r.shared), today=timezone.localdate())
        return context
