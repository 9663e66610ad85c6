"""The support team's pages: the queue (all periods, or one), bulk
assignment, raising a query on someone's behalf, and a query's page with
its timeline and actions (status, assignment, comment, priority/category/
impact line), each through `services.queries`.

Contact details (the requester's name and email) are shown and exported
only to the support side of a query's period (`forms.queries.works_period`)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.accounts.models import User
from changeboard.core import exports
from changeboard.core.forms import add_service_errors
from changeboard.core.params import id_or_404
from changeboard.core.scoping import ADD, CHANGE, VIEW, can
from changeboard.core.views import ScopedListView, ScopedMixin, ServiceFormView

from ..filtersets.queries import BY_SLA, QueryFilterSet, sla_order
from ..forms.queries import (
    AssignForm,
    AttachmentForm,
    BulkAssignForm,
    CommentForm,
    QueryCreateForm,
    QueryEditForm,
    TransitionForm,
    assignee_choices,
    periods_worked,
    works_period,
)
from ..models import Attachment, Category, Period, Query
from ..services import queries as services
from ..services.attachments import attachment_add
from ..services.sla import query_sla, sla_states
from ..tables.queries import QueryTable, SlaOrderedData, SlaOrderedRows, local_time


class QueryListView(ScopedListView):
    """The support queue: every query the user may see, or one period's
    (`pk`); open ones first by priority, then the oldest."""

    request: AuthenticatedHttpRequest
    model = Query
    table_class = QueryTable
    filterset_class = QueryFilterSet
    template_name = "hypercare/query_list.html"
    page_title = "Support queue"
    export_name = "hypercare-queries"
    export_columns = [
        ("Reference", "reference"), ("Programme", "period__rollout_wave__programme__code"), ("Rollout wave", "period__rollout_wave__name"),
        ("Title", "title"), ("Unit", "unit__name"), ("Role", "role"), ("Category", "category__name"), ("Priority", "priority"),
        ("Status", "status"), ("Assigned to (username)", "assignee__username"), ("Raised by", "source"), ("Impact line", "impact_line_id"),
        ("Tags", "tags"), ("Service desk reference", "external_ref"), ("Raised (UTC)", "created_at"),
        ("First response (UTC)", "first_response_at"), ("Resolved (UTC)", "resolved_at"), ("Closed (UTC)", "closed_at"),
    ]
    CONTACT_COLUMNS = [("Contact name", "contact_name"), ("Contact email", "contact_email")]

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.period: Period | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "pk" in kwargs and request.user.is_authenticated and can(request.user, Query, VIEW):
            self.period = get_object_or_404(Period.objects.restrict(request.user).select_related("rollout_wave__programme", "support_team"),
                                            pk=id_or_404(kwargs["pk"]))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset().select_related("period__rollout_wave__programme", "unit", "category", "assignee")
        return queryset.filter(period=self.period) if self.period is not None else queryset

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(filterset_class), "period": self.period}

    def get_table_kwargs(self) -> dict[str, Any]:
        # The filter form's "Sort by" orders the rows; a column heading clicked (`sort`) still re-sorts them.
        kwargs: dict[str, Any] = {"selectable": bool(self.assignable_queries_exist()), "show_period": self.period is None, "order_by": ()}
        if self.sla_ordered():
            kwargs["orderable"] = False  # the chosen order is the SLA's
        return kwargs

    def sla_ordered(self) -> bool:
        filterset = getattr(self, "filterset", None)
        return bool(filterset is not None and filterset.is_valid() and filterset.form.cleaned_data.get("order") == BY_SLA)

    def get_table_data(self) -> Any:
        data = super().get_table_data()
        if self.sla_ordered():
            return SlaOrderedData(SlaOrderedRows(sla_order(data), data))
        return data

    def get_table(self, **kwargs: Any) -> Any:
        """The table, with the SLA states of the rows on its page (computed for those rows only)."""
        table = cast(QueryTable, super().get_table(**kwargs))
        rows = list(table.page.object_list) if getattr(table, "page", None) else []
        table.sla_states = sla_states([row.record if hasattr(row, "record") else row for row in rows])
        return table

    def assignable_queries_exist(self) -> bool:
        if not hasattr(self, "_assignable"):
            self._assignable = can(self.request.user, Query, CHANGE) and self.bulk_assignees().exists()
        return self._assignable

    def bulk_assignees(self) -> QuerySet:
        """Whom the queue's ticked queries may go to: the members of the support
        teams of the periods the user works (the period's, on a period's queue)."""
        if self.period is not None:
            return assignee_choices(self.period) if Query.objects.restrict(self.request.user, CHANGE).filter(period=self.period).exists() \
                or works_period(self.request.user, self.period) else User.objects.none()
        teams = periods_worked(self.request.user).exclude(support_team=None).values("support_team")
        return User.objects.filter(cutover_teams__in=teams, is_active=True).distinct().order_by("first_name", "last_name", "username")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if self.period is not None:
            context["page_title"] = f"Support queue: {self.period}"
            context["period"] = self.period
            context["can_raise"] = can(user, Query, ADD) and self.period.status != Period.Status.EXITED
        if self.assignable_queries_exist():
            context["bulk_form"] = BulkAssignForm(queries=Query.objects.none(), assignees=self.bulk_assignees())
        context["me_assigned"] = self.request.GET.get("assignee") == "me"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        if self.period is None:
            return [("Hypercare", reverse("period-list")), ("Support queue", "")]
        return [("Hypercare", reverse("period-list")), (str(self.period), self.period.get_absolute_url()), ("Support queue", "")]

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        """The filtered rows; the requester's contact details only on the rows
        of periods the user works (blank on every other row)."""
        worked = set(periods_worked(self.request.user).values_list("pk", flat=True))
        columns = self.export_columns + (self.CONTACT_COLUMNS if worked else [])
        paths = [path for _, path in columns] + ["period_id"]
        statuses, sources = dict(Query.Status.choices), dict(Query.Source.choices)
        at_status, at_source = paths.index("status"), paths.index("source")

        def rows() -> Any:
            for values in queryset.values_list(*paths).iterator(chunk_size=2000):
                row = list(values)
                period_id = row.pop()
                row[at_status], row[at_source] = statuses.get(row[at_status], row[at_status]), sources.get(row[at_source], row[at_source])
                if worked and period_id not in worked:
                    row[-2:] = ["", ""]
                yield row

        return cast(HttpResponse, exports.export_response(fmt, self.export_name, [label for label, _ in columns],
                                                          rows() if fmt == "csv" else list(rows())))


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


class BulkAssignView(ScopedMixin, View):
    """The queue's bulk assignment: every ticked query to one person, in one
    transaction; a query that cannot take it (closed since, or of another
    team) is reported and left as it was."""

    request: AuthenticatedHttpRequest
    model = Query
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fallback = reverse("query-list")
        teams = Period.objects.restrict(request.user).exclude(support_team=None).values("support_team")
        assignees = User.objects.filter(cutover_teams__in=teams, is_active=True).distinct()
        form = BulkAssignForm(request.POST, queries=self.get_queryset(), assignees=assignees)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return redirect(_safe_next(request, fallback))
        assignee = form.cleaned_data["assignee"]
        done, refused = [], []
        with transaction.atomic():
            for query in form.cleaned_data["queries"].order_by("reference"):
                try:
                    services.query_assign(query=query, assignee=assignee, actor=request.user)
                except ValidationError as exc:
                    refused.append(f"{query.reference}: {' '.join(exc.messages)}")
                else:
                    done.append(query.reference)
        who = (assignee.get_full_name() or assignee.username) if assignee else "nobody"
        if done:
            messages.success(request, f"{len(done)} quer{'y' if len(done) == 1 else 'ies'} assigned to {who}: {', '.join(done)}.")
        if refused:
            messages.error(request, f"{len(refused)} not assigned. " + " ".join(refused))
        return redirect(_safe_next(request, fallback))


class QueryCreateView(ServiceFormView):
    """Raise a query on someone's behalf (champions, for their units) or as the support team."""

    request: AuthenticatedHttpRequest
    model = Query
    action = ADD
    form_class = QueryCreateForm
    template_name = "hypercare/query_form.html"
    submit_label = "Raise the query"
    success_message = "Query raised."

    def get_object(self) -> Model | None:
        self.period = get_object_or_404(Period.objects.restrict(self.request.user).select_related("rollout_wave__programme", "support_team"),
                                        pk=id_or_404(self.kwargs["pk"]))
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "period": self.period, "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(page_title=f"Raise a query: {self.period}", period=self.period)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Hypercare", reverse("period-list")), (str(self.period), self.period.get_absolute_url()), ("Raise a query", "")]

    def get_cancel_url(self) -> str:
        return self.period.get_absolute_url()

    def perform(self, form: QueryCreateForm) -> Model:
        return services.query_create(period=self.period, actor=self.request.user, **form.service_kwargs())

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]  # the query's page if the raiser may open it, else the period's
        if Query.objects.restrict(self.request.user).filter(pk=saved.pk).exists():
            return saved.get_absolute_url()  # type: ignore[attr-defined]
        return self.period.get_absolute_url()


class QueryPageMixin(ScopedMixin):
    """A query's page and the actions posted from it: the page is rendered
    again with the failing form's errors (and what was typed)."""

    request: HttpRequest
    model = Query
    kwargs: dict[str, Any]

    def get_query(self, action: str = VIEW) -> Query:
        queryset = Query.objects.restrict(self.request.user, action).select_related(
            "period__rollout_wave__programme", "period__support_team", "unit", "category", "assignee", "impact_line", "raised_by")
        return get_object_or_404(queryset, pk=id_or_404(self.kwargs["pk"]))

    def page_context(self, query: Query, **forms: Any) -> dict[str, Any]:
        user = self.request.user
        can_work = Query.objects.restrict(user, CHANGE).filter(pk=query.pk).exists()
        supporting = works_period(user, query.period)
        context: dict[str, Any] = {
            "query": query, "page_title": f"{query.reference}: {query.title}", "can_work": can_work,
            "show_contact": supporting, "timeline": timeline(query, show_internal=can_work or supporting),
            "created_text": local_time(query.created_at), "first_response_text": local_time(query.first_response_at),
            "resolved_text": local_time(query.resolved_at), "closed_text": local_time(query.closed_at),
            "attachments": Attachment.objects.restrict(user).filter(query=query),
            "sla": query_sla(query),
            "breadcrumbs": [("Hypercare", reverse("period-list")), (str(query.period), query.period.get_absolute_url()),
                            ("Support queue", reverse("period-queries", args=[query.period_id])), (query.reference, "")],
        }
        if can_work:
            context.update(
                transition_form=forms.get("transition_form") or TransitionForm(query=query),
                assign_form=forms.get("assign_form") or AssignForm(period=query.period, initial={"assignee": query.assignee_id}),
                comment_form=forms.get("comment_form") or CommentForm(can_email=bool(query.contact_email)),
                edit_form=forms.get("edit_form") or QueryEditForm(query=query),
                attach_form=forms.get("attach_form") or AttachmentForm(),
            )
            context["error_form"] = next((f for f in forms.values() if f.errors), None)
        return context


def timeline(query: Query, *, show_internal: bool) -> list[dict[str, Any]]:
    """The query's history, oldest first, in words. Internal notes only for
    those who work the query."""
    events = list(query.events.select_related("actor").order_by("at", "pk"))
    people = {str(u.pk): u.get_full_name() or u.username
              for u in User.objects.filter(pk__in=[int(v) for e in events for v in (e.from_value, e.to_value) if e.kind == "assigned" and v.isdigit()])}
    categories = {str(c.pk): c.name for c in Category.objects.filter(period=query.period_id)}
    statuses = dict(Query.Status.choices)
    rows = []
    for event in events:
        if event.kind == "comment" and not event.to_requester and not show_internal:
            continue
        if event.kind == "created":
            what = "Raised"
        elif event.kind == "status":
            what = f"Status: {statuses.get(event.from_value, event.from_value)} → {statuses.get(event.to_value, event.to_value)}"
        elif event.kind == "assigned":
            what = f"Assigned to {people.get(event.to_value, 'a removed account')}" if event.to_value else "Unassigned"
        elif event.kind == "priority":
            what = f"Priority: {event.from_value} → {event.to_value}"
        elif event.kind == "category":
            what = f"Category: {categories.get(event.from_value, '?')} → {categories.get(event.to_value, '?')}"
        else:
            what = "Comment to the requester" if event.to_requester else "Internal note"
        rows.append({"event": event, "what": what, "when": local_time(event.at),
                     "who": (event.actor.get_full_name() or event.actor.username) if event.actor else "The requester or the system",
                     "text": event.text, "to_requester": event.to_requester})
    return rows


class QueryDetailView(QueryPageMixin, TemplateView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    template_name = "hypercare/query_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.page_context(self.get_query()))
        return context


class QueryActionView(QueryPageMixin, View):
    """One action on a query, posted from its page (CHANGE scope: 404 when
    the user may see the query but not work it)."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    action = CHANGE
    http_method_names = ["post"]
    form_name = ""
    done_message = ""

    def make_form(self, query: Query, data: Any) -> Any:
        raise NotImplementedError

    def perform(self, query: Query, form: Any) -> None:
        raise NotImplementedError

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        query = self.get_query(CHANGE)
        form = self.make_form(query, request.POST)
        if form.is_valid():
            try:
                self.perform(query, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, self.done_message)
                return redirect(query.get_absolute_url())
        query = self.get_query(CHANGE)
        return render(request, "hypercare/query_detail.html", self.page_context(query, **{self.form_name: form}))


class QueryTransitionView(QueryActionView):
    form_name = "transition_form"
    done_message = "Status changed."

    def make_form(self, query: Query, data: Any) -> Any:
        return TransitionForm(data, query=query)

    def perform(self, query: Query, form: Any) -> None:
        services.query_transition(query=query, status=form.cleaned_data["status"], comment=form.cleaned_data["comment"], actor=self.request.user)


class QueryAssignView(QueryActionView):
    form_name = "assign_form"
    done_message = "Assignment saved."

    def make_form(self, query: Query, data: Any) -> Any:
        return AssignForm(data, period=query.period)

    def perform(self, query: Query, form: Any) -> None:
        services.query_assign(query=query, assignee=form.cleaned_data["assignee"], actor=self.request.user)


class QueryCommentView(QueryActionView):
    form_name = "comment_form"
    done_message = "Comment added."

    def make_form(self, query: Query, data: Any) -> Any:
        return CommentForm(data, can_email=bool(query.contact_email))

    def perform(self, query: Query, form: Any) -> None:
        services.query_comment(query=query, text=form.cleaned_data["text"], to_requester=form.cleaned_data["to_requester"], actor=self.request.user)


class QueryEditView(QueryActionView):
    form_name = "edit_form"
    done_message = "Query updated."

    def make_form(self, query: Query, data: Any) -> Any:
        return QueryEditForm(data, query=query)

    def perform(self, query: Query, form: Any) -> None:
        changes = form.changes(query)
        if changes:
            services.query_update(query=query, actor=self.request.user, **changes)


class QueryAttachView(QueryActionView):
    """Add a file to a query (the support side: those who work it)."""

    form_name = "attach_form"
    done_message = "File attached."

    def make_form(self, query: Query, data: Any) -> Any:
        return AttachmentForm(data, self.request.FILES)

    def perform(self, query: Query, form: Any) -> None:
        attachment_add(query=query, file=form.cleaned_data["file"], actor=self.request.user)
