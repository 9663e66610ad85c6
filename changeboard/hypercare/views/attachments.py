"""A query's attachments: downloaded only through this scoped page (the
support team, the programme's change managers, champions for their units'
queries, auditors), every download recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.views import View

from changeboard.core.files import attachment_response, open_or_404
from changeboard.core.scoping import VIEW
from changeboard.core.views import ScopedMixin

from ..models import Attachment
from ..services.attachments import attachment_downloaded


class AttachmentDownloadView(ScopedMixin, View):
    """The file, after the scope check, as an attachment the browser must
    not sniff or cache; never a public media URL."""

    model = Attachment
    action = VIEW
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        attachment = get_object_or_404(self.get_queryset().select_related("query"), pk=kwargs["pk"])
        handle = open_or_404(attachment.file)
        attachment_downloaded(attachment=attachment, actor=request.user)  # type: ignore[arg-type]  # signed in: ScopedMixin requires it
        return attachment_response(handle, filename=attachment.file_name or "attachment",
                                   content_type=attachment.content_type or "application/octet-stream")
