"""Pages for feedback from the floor: the list (filter, sort, page,
CSV/XLSX), one theme's page (with the action, criterion or hypercare
category it became), recording one (phone-friendly), the roll-up per
category x sentiment and per unit, and a change manager's to-action, link
and close. Every write goes through `services.themes`; every text shown or
exported goes through the anonymity rule (`services.themes.TextPolicy`)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.params import parse_id
from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.hypercare.models import Category as HypercareCategory
from changeboard.portfolio.models import Programme
from changeboard.readiness.models import Action, Criterion

from ..filtersets.themes import ThemeFilterSet
from ..forms.themes import ThemeActionForm, ThemeCloseForm, ThemeLinkForm, ThemeRecordForm
from ..models import Theme
from ..services import themes as services
from ..tables.themes import ThemeTable

RELATED = ("programme", "unit", "champion__staff", "created_by")


def _crumbs(*rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Feedback from the floor", reverse("theme-list")), *rest]


class ThemeListView(ScopedListView):
    model = Theme
    table_class = ThemeTable
    filterset_class = ThemeFilterSet
    template_name = "network/theme_list.html"
    page_title = "Feedback from the floor"
    export_name = "feedback-from-the-floor"
    export_columns = [
        ("Programme", "programme__code"), ("Category", "category"), ("Sentiment", "sentiment"), ("Unit", "unit__full_path"),
        ("Role group", "role_group"), ("What was heard", "text"), ("Heard on", "heard_on"), ("Champion", "champion"),
        ("Status", "status"), ("Action", "action"), ("Criterion", "criterion"), ("Hypercare category", "hypercare_category"),
    ]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related(*RELATED)

    def get_table_kwargs(self) -> dict[str, Any]:
        return {**super().get_table_kwargs(), "text_policy": services.TextPolicy(self.request.user)}

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        """The same filtered rows, each text as this user may read it."""
        policy = services.TextPolicy(self.request.user)
        rows = []
        for theme in queryset.select_related(*RELATED).order_by("-heard_on", "-pk"):
            champion = theme.champion
            rows.append([
                theme.programme.code, theme.get_category_display(), theme.get_sentiment_display(), theme.unit.full_path,
                theme.get_role_group_display() if theme.role_group else "", policy.text(theme), theme.heard_on,
                f"{champion.staff.first_name} {champion.staff.last_name}" if champion is not None else "", theme.get_status_display(),
                theme.action_id or "", theme.criterion_id or "", theme.hypercare_category_id or "",
            ])
        return cast(HttpResponse, exports.export_response(fmt, self.export_name, [label for label, _ in self.export_columns], rows))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, Theme, ADD)
        return context


class ThemeDetailView(ScopedDetailView):
    model = Theme
    template_name = "network/theme_detail.html"
    context_object_name = "theme"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related(*RELATED, "criterion", "hypercare_category__period__rollout_wave", "action")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs((f"Theme #{self.object.pk}", ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        theme: Theme = self.object
        user = self.request.user
        policy = services.TextPolicy(user)
        changeable = Theme.objects.restrict(user, CHANGE).filter(pk=theme.pk).exists()
        live = theme.status != Theme.Status.CLOSED
        action = Action.objects.restrict(user).filter(pk=theme.action_id).first() if theme.action_id else None
        criterion = Criterion.objects.restrict(user).filter(pk=theme.criterion_id).first() if theme.criterion_id else None
        category = (HypercareCategory.objects.restrict(user).select_related("period__rollout_wave").filter(pk=theme.hypercare_category_id).first()
                    if theme.hypercare_category_id else None)
        context.update(
            page_title=f"{theme.get_category_display()}: {theme.programme.code}",
            text=policy.text(theme), withheld=policy.withheld(theme), small=policy.small(theme), threshold=policy.threshold,
            action=action, criterion=criterion, hypercare_category=category,
            can_action=changeable and live and theme.action_id is None, can_link=changeable and live, can_close=changeable and live,
        )
        return context


class ThemeRecordView(ServiceFormView):
    """Record a theme heard on the floor: one column, today and "mixed"
    by default, the programme and unit chosen when there is only one;
    `?programme=<id>` preselects the programme."""

    request: AuthenticatedHttpRequest
    model = Theme
    action = ADD
    form_class = ThemeRecordForm
    template_name = "network/theme_record.html"
    submit_label = "Record theme"
    success_message = "Theme recorded. Thank you."
    page_title = "Record what you heard"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        chosen = parse_id(self.request.GET.get("programme"))
        if chosen is not None and services.recordable_programmes(self.request.user).filter(pk=chosen).exists():
            kwargs["initial"] = {**kwargs.get("initial", {}), "programme": chosen}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_record"] = services.recordable_programmes(self.request.user).exists()
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs(("Record", ""))

    def get_cancel_url(self) -> str:
        return reverse("theme-list")

    def perform(self, form: ThemeRecordForm) -> Model:
        data = form.cleaned_data
        return services.theme_record(programme=data["programme"], category=data["category"], unit=data["unit"], text=data["text"],
                                     role_group=data.get("role_group") or "", sentiment=data["sentiment"], heard_on=data["heard_on"],
                                     actor=self.request.user)


class ThemeSummaryView(ScopedMixin, TemplateView):
    """The roll-up over the themes the user may see (optionally one
    programme's): counts per category x sentiment and per unit, the top
    categories, and how many are still open. Counts only, never the text."""

    model = Theme
    template_name = "network/theme_summary.html"
    page_title = "Feedback from the floor: summary"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programmes = Programme.objects.restrict(self.request.user).order_by("code")
        chosen = parse_id(self.request.GET.get("programme"))
        programme = programmes.filter(pk=chosen).first() if chosen is not None else None
        themes = self.get_queryset()
        if programme is not None:
            themes = themes.filter(programme=programme)
        context.update(rollup=services.rollup(themes), programmes=programmes, programme=programme,
                       sentiments=Theme.Sentiment.choices, statuses=Theme.Status.choices)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs(("Summary", ""))


class _ThemeChangeView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Theme
    action = CHANGE
    template_name = "network/theme_form.html"
    verb = ""

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related(*RELATED), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        theme = cast(Theme, self.object)
        context.update(page_title=f"{self.verb}: theme #{theme.pk}", theme=theme, text=services.TextPolicy(self.request.user).text(theme))
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        theme = cast(Theme, self.object)
        return _crumbs((f"Theme #{theme.pk}", theme.get_absolute_url()), (self.verb, ""))


class ThemeActionView(_ThemeChangeView):
    """Make a theme a readiness action (it shows on the Board's dashboards with the programme's other actions)."""

    form_class = ThemeActionForm
    submit_label = "Raise action"
    success_message = "Action raised from the theme."
    verb = "Make it an action"

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "title": services.action_title(cast(Theme, self.object))}

    def perform(self, form: ThemeActionForm) -> Model:
        data = form.cleaned_data
        theme = cast(Theme, self.object)
        services.theme_to_action(theme=theme, owner=data.get("owner"), due_date=data["due_date"], title=data["title"],
                                 description=data.get("description") or "", actor=self.request.user)
        return theme


class ThemeLinkView(_ThemeChangeView):
    form_class = ThemeLinkForm
    submit_label = "Link theme"
    success_message = "Theme linked."
    verb = "Tie it to readiness or hypercare"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "theme": self.object}

    def perform(self, form: ThemeLinkForm) -> Model:
        data = form.cleaned_data
        return services.theme_link(theme=cast(Theme, self.object), criterion=data.get("criterion"),
                                   hypercare_category=data.get("hypercare_category"), actor=self.request.user)


class ThemeCloseView(_ThemeChangeView):
    form_class = ThemeCloseForm
    submit_label = "Close theme"
    success_message = "Theme closed."
    verb = "Close"

    def perform(self, form: ThemeCloseForm) -> Model:
        return services.theme_close(theme=cast(Theme, self.object), reason=form.cleaned_data.get("reason") or "", actor=self.request.user)
