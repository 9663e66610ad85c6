"""`/api/v1/packs/`: board packs with the pages' scopes (the Board and the
portfolio office). List and read (a pack's figures as `content`), request a
pack (202: it is generated in the background), and download a ready pack's
file with `download/?kind=pdf|xlsx|html` (not `format`, which DRF keeps for
choosing a renderer). Downloads are audited, like the pages'."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.accounts.models import User
from changeboard.core.api import ScopedViewSetMixin, service_errors
from changeboard.core.files import attachment_response

from .. import packs
from ..models import BoardPack

FILES = ("content", "html", "pdf", "xlsx")


class PackSerializer(serializers.ModelSerializer):
    """A pack's state, without its figures (the list)."""

    requested_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = BoardPack
        fields = ["id", "as_of", "title", "status", "scheduled", "requested_by", "requested_at", "generated_at", "seconds",
                  "previous", "error", "downloads"]
        read_only_fields = fields

    def get_downloads(self, pack: BoardPack) -> dict[str, str]:
        """Where to fetch each file once the pack is ready (empty before)."""
        if pack.status != BoardPack.Status.READY:
            return {}
        request = self.context.get("request")
        base = reverse("api-pack-download", args=[pack.pk])
        return {kind: (request.build_absolute_uri(base) if request else base) + f"?kind={kind}" for kind in packs.FORMATS}


class PackDetailSerializer(PackSerializer):
    """A pack with its figures: the frozen summaries, exceptions and what
    changed, as plain JSON with ISO dates (null until the pack is ready)."""

    content = serializers.JSONField(read_only=True)

    class Meta(PackSerializer.Meta):
        fields = [*PackSerializer.Meta.fields, "content"]
        read_only_fields = fields


class PackRequestSerializer(serializers.Serializer):
    as_of = serializers.DateField(help_text="The pack shows the figures as they stood on this date: today or earlier, "
                                            "and not before 2000-01-01.")

    def validate_as_of(self, value: dt.date) -> dt.date:
        if error := packs.as_of_error(value):
            raise serializers.ValidationError(error)
        return value


class PackViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Board packs, newest as-of date first. POST `{"as_of": "YYYY-MM-DD"}`
    queues one and answers 202 with it; poll it until `status` is `ready`
    (or `failed`, with `error`)."""

    scoped_model = BoardPack
    serializer_class = PackSerializer
    ordering_fields = ["as_of", "requested_at", "generated_at"]
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d+"

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.select_related("requested_by").defer("html", "pdf", "xlsx")
        if self.action == "list":
            queryset = queryset.defer(*FILES)
        return queryset.order_by("-as_of", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "retrieve":
            return PackDetailSerializer
        if self.action == "create":
            return PackRequestSerializer
        return PackSerializer

    @extend_schema(request=PackRequestSerializer, responses={202: PackSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = PackRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            pack = packs.pack_request(as_of=incoming.validated_data["as_of"], actor=cast(User, request.user))  # signed in (the API refuses anonymous requests)
        return Response(PackSerializer(pack, context=self.get_serializer_context()).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=list(packs.FORMATS), required=True, description="Which file: pdf, xlsx or html.")],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment."),
                   404: OpenApiResponse(description="No such pack, or it is not ready yet.")},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """A ready pack's PDF, XLSX or HTML document."""
        kind = request.query_params.get("kind", "")
        if kind not in packs.FORMATS:
            raise ValidationError({"kind": f"Choose one of {', '.join(packs.FORMATS)}."})
        pack = self.get_object()
        if pack.status != BoardPack.Status.READY:
            raise NotFound("The pack is not ready yet.")
        with service_errors():
            handle, content_type, filename = packs.pack_record_download(pack=pack, fmt=kind, actor=cast(User, request.user))  # signed in (the API refuses anonymous requests)
        return attachment_response(handle, filename=filename, content_type=content_type)
