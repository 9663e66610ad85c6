"""Pages for board packs: the list (with the request form), one pack (its
status, polled while it is generated, its exceptions and what changed) and
its downloads.

The stored HTML document carries its own inline print CSS, which the site's
Content Security Policy (`style-src 'self'`) would block, so it is only ever
served as an attachment; the pack's page shows its summary with the site's
own styles."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Length
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.files import attachment_response
from changeboard.core.forms import add_service_errors
from changeboard.core.params import StrictTableMixin
from changeboard.core.scoping import ADD, can
from changeboard.core.views import ScopedDetailView, ScopedMixin

from .. import packs
from ..forms import PackRequestForm
from ..models import BoardPack
from ..tables import BoardPackTable

IN_PROGRESS = {BoardPack.Status.QUEUED, BoardPack.Status.BUILDING}
FILES = ("content", "html", "pdf", "xlsx")


def with_sizes(queryset: QuerySet) -> QuerySet:
    """The pack's size: the HTML's measured by the database, the PDF's and
    XLSX's as noted when they were stored, so neither list nor page loads a
    pack's files (or asks the storage) to say how big they are."""
    def size(name: str) -> Any:
        return Coalesce(Length(name), Value(0))

    return queryset.annotate(html_size=size("html")).annotate(files=F("pdf_size") + F("xlsx_size") + F("html_size"))


class PackListView(ScopedMixin, StrictTableMixin, ListView):
    """Every pack, newest as-of date first, and the form to request one."""

    model = BoardPack
    table_class = BoardPackTable  # type: ignore[assignment]  # django-tables2 is untyped: its mixin's None default types it as None
    template_name = "reports/pack_list.html"
    paginate_by = 25
    page_title = "Board packs"

    def get_queryset(self) -> QuerySet:
        return with_sizes(super().get_queryset().defer(*FILES).select_related("requested_by"))

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"request": self.request}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_request"] = can(self.request.user, BoardPack, ADD)
        context.setdefault("form", PackRequestForm())
        return context

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can(request.user, BoardPack, ADD):
            raise PermissionDenied
        form = PackRequestForm(request.POST)
        if form.is_valid():
            try:
                pack = packs.pack_request(as_of=form.cleaned_data["as_of"], actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                pack.refresh_from_db(fields=["status", "error"])
                if pack.status == BoardPack.Status.FAILED:  # the task queue was down (`packs.QUEUE_DOWN_ERROR`)
                    messages.error(request, f"{pack.title} could not be generated: {pack.error}")
                else:
                    messages.success(request, f"{pack.title} has been requested. It is generated in the background.")
                return redirect(pack.get_absolute_url())
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class PackDetailView(ScopedDetailView):
    """One pack. While it is queued or being generated, htmx polls the status
    region alone (`?status=1`); once that is settled, the whole page reloads
    to show the exceptions, the changes and the downloads."""

    model = BoardPack
    template_name = "reports/pack_detail.html"
    context_object_name = "pack"

    def get_queryset(self) -> QuerySet:
        queryset = with_sizes(super().get_queryset().select_related("requested_by", "previous"))
        if self.request.GET.get("status"):
            queryset = queryset.defer(*FILES)
        return queryset.defer("html", "pdf", "xlsx")

    def get_template_names(self) -> list[str]:
        if self.request.GET.get("status"):
            return ["reports/pack_status.html"]
        return super().get_template_names()

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Board packs", reverse("pack-list")), (self.object.title, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        pack = self.object
        context["page_title"] = pack.title
        context["in_progress"] = pack.status in IN_PROGRESS
        if pack.status == BoardPack.Status.READY and pack.content and not self.request.GET.get("status"):
            data = packs.revive(pack.content)
            context["exceptions"] = packs.exception_lines(data)
            context["changes"] = data.get("changes") or {"previous": None}
            context["downloads"] = [
                ("pdf", "PDF document", pack.pdf_size), ("xlsx", "Excel spreadsheet (XLSX)", pack.xlsx_size),
                ("html", "HTML document", pack.html_size),
            ]
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if self.request.GET.get("status") and getattr(self.request, "htmx", False) and not context["in_progress"]:
            response["HX-Refresh"] = "true"  # the pack has settled: show all of it
        return response


class PackDownloadView(ScopedMixin, View):
    """A ready pack's PDF, XLSX or HTML, always as an attachment. Each
    download is audited: a pack holds the whole portfolio's figures."""

    model = BoardPack

    def get(self, request: AuthenticatedHttpRequest, pk: int, fmt: str) -> FileResponse:
        if fmt not in packs.FORMATS:
            raise Http404
        pack = get_object_or_404(BoardPack.objects.restrict(request.user), pk=pk, status=BoardPack.Status.READY)
        try:
            handle, content_type, filename = packs.pack_record_download(pack=pack, fmt=fmt, actor=request.user)
        except ValidationError:
            raise Http404 from None  # its file is missing from the storage (logged)
        return attachment_response(handle, filename=filename, content_type=content_type)
