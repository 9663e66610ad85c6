"""Shared view machinery: the scoped base views every app's pages use, plus
the health, audit and outbox pages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import Table

from . import exports, health
from .filtersets import AuditEntryFilterSet, OutboxFilterSet
from .forms import add_service_errors, govuk_style
from .models import AuditEntry, OutboxMessage
from .outbox import outbox_retry, outbox_retry_failed
from .params import StrictTableMixin
from .scoping import CHANGE, VIEW, can
from .tables import AuditEntryTable, OutboxTable


class ScopedMixin(LoginRequiredMixin):
    """Enforces scopes for a page: 403 when the role never may, and a
    queryset restricted to the user so out-of-scope objects answer 404."""

    model: type[Model]  # an instance variable in Django's generic views
    action: ClassVar[str] = VIEW
    page_title: ClassVar[str] = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can(request.user, self.model, self.action):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]  # Django types dispatch as HttpResponseBase; kept HttpResponse for the apps' overrides

    def get_queryset(self) -> QuerySet:
        return self.model.objects.restrict(self.request.user, self.action)  # type: ignore[attr-defined]

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.setdefault("page_title", self.page_title)
        context["breadcrumbs"] = self.get_breadcrumbs()
        return context


class ScopedListView(ScopedMixin, StrictTableMixin, FilterView):  # type: ignore[misc]  # model is required here, Django's list mixin allows None
    """A filterable, sortable, paginated list; `?export=csv|xlsx` downloads the
    same filtered rows with the columns in `export_columns`."""

    paginate_by = 50
    template_name = "core/list.html"
    table_class: type[Table]  # type: ignore[assignment]  # django-tables2 leaves it None (untyped)
    export_columns: ClassVar[list[tuple[str, str]]] = []
    export_name: ClassVar[str] = "export"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        if fmt in {"csv", "xlsx"} and self.export_columns:
            filterset = self.get_filterset(self.get_filterset_class())
            rows = filterset.qs if filterset.is_bound and filterset.is_valid() else self.get_queryset()
            return self.export(fmt, rows)
        return super().get(request, *args, **kwargs)

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        paths = [path for _, path in self.export_columns]
        headers = [label for label, _ in self.export_columns]
        values = queryset.values_list(*paths)
        rows = values.iterator(chunk_size=2000) if fmt == "csv" else list(values)
        return exports.export_response(fmt, self.export_name, headers, rows)  # type: ignore[return-value]  # a CSV export streams; widening would ripple through every list view's get()

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"request": self.request}

    def get_filterset(self, filterset_class: Any) -> Any:
        filterset = super().get_filterset(filterset_class)
        govuk_style(filterset.form)
        return filterset

    def get_template_names(self) -> list[str]:
        # htmx filter requests swap only the results region.
        if getattr(self.request, "htmx", False):
            return ["core/_results.html"]
        return super().get_template_names()


class ScopedDetailView(ScopedMixin, DetailView):
    pass


class AccessibilityView(TemplateView):
    template_name = "core/accessibility.html"
    extra_context = {"page_title": "Accessibility statement"}


class AuditListView(ScopedListView):
    model = AuditEntry
    table_class = AuditEntryTable
    filterset_class = AuditEntryFilterSet
    page_title = "Audit trail"
    export_name = "audit-trail"
    export_columns = [
        ("When", "timestamp"),
        ("Who", "actor_name"),
        ("Action", "action"),
        ("Object type", "object_type"),
        ("Object id", "object_id"),
        ("Object", "object_repr"),
        ("Request id", "request_id"),
    ]


class AuditDetailView(ScopedDetailView):
    model = AuditEntry
    template_name = "core/audit_detail.html"
    context_object_name = "entry"
    page_title = "Audit entry"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Audit trail", "/audit/"), (f"Entry {self.object.pk}", "")]


class OutboxListView(ScopedListView):
    """Every email the system has queued, with its delivery state: the
    administrators' view of the outbox (and, in the demo, the way to see
    invitations without a mail server)."""

    model = OutboxMessage
    table_class = OutboxTable
    filterset_class = OutboxFilterSet
    template_name = "core/outbox_list.html"
    page_title = "Email outbox"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sending"] = settings.OUTBOX_SEND
        counts = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
        context["counts"] = [(label, counts.get(value, 0)) for value, label in OutboxMessage.Status.choices]
        context["failed"] = counts.get(OutboxMessage.Status.FAILED, 0)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Retry every failed message (administrators only, like the page)."""
        count = outbox_retry_failed(actor=request.user)
        messages.success(request, f"{count} failed message{'s' if count != 1 else ''} will be sent again.")
        return redirect(reverse("outbox-list"))


class OutboxDetailView(ScopedDetailView):
    """One message. Its text (which holds a personal survey link) is shown
    only outside production, where the demo has no mail server."""

    model = OutboxMessage
    template_name = "core/outbox_detail.html"
    context_object_name = "message"
    page_title = "Outbox message"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Email outbox", reverse("outbox-list")), (f"Message {self.object.pk}", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["show_body"] = not settings.PRODUCTION
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        message = self.get_object()
        if message.status != OutboxMessage.Status.FAILED:
            messages.error(request, "Only a failed message can be retried.")
        else:
            outbox_retry(message=message, actor=request.user)
            messages.success(request, "The message will be sent again.")
        return redirect(reverse("outbox-detail", args=[message.pk]))


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: everything this process needs answers (changeboard.core.health):
    the database with every migration applied, the cache, the task backend and
    file storage. 503 when any check fails, so a load balancer stops sending
    this process traffic; per-check states only, never a host or a secret."""
    checks = health.run_checks()
    healthy = all(state == health.OK for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"page_title": "Page not found"}, status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"page_title": "You do not have access"}, status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {"page_title": "Sorry, there is a problem"}, status=500)


class ServiceFormView(ScopedMixin, FormView):
    """A create or edit page whose save goes through a service.

    Subclasses set `model`, `action` and `form_class`, optionally
    `get_object()` (restricted, so out of scope is 404), and implement
    `perform(form)` to call the service and return the saved object. A
    ValidationError from the service shows on the form: on the fields it
    names, the rest above the form.
    """

    template_name = "core/form_page.html"
    action = CHANGE
    submit_label = "Save"
    success_message = "Saved."

    def get_object(self) -> Model | None:
        return None

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.object: Model | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and can(request.user, self.model, self.action):
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.object is not None and self.form_class is not None and issubclass(self.form_class, ModelForm):
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["submit_label"] = self.submit_label
        context["cancel_url"] = self.get_cancel_url()
        return context

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object is not None and hasattr(self.object, "get_absolute_url") else "/"

    def perform(self, form: Any) -> Model:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            saved = self.perform(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url(saved))

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]
        return saved.get_absolute_url()  # type: ignore[attr-defined]
