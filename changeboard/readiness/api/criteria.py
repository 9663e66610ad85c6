"""Readiness criteria, their per-unit statuses and their evidence through
the API, with the pages' scopes: out-of-scope objects are not found, roles
that never may are refused, a champion sees only the statuses (and unit
evidence) of units at, below or above their own. Writes go through
`readiness.services.criteria`, so the rules (feeds, file checks) are the
pages' exactly."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from changeboard.accounts.models import User
from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors
from changeboard.core.files import attachment_response, open_or_404
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme, RolloutWave

from ..filtersets.criteria import CriterionFilterSet, CriterionStatusFilterSet, EvidenceFilterSet
from ..models import Criterion, CriterionQuerySet, CriterionStatus, Evidence, Rag
from ..services import criteria as services


class _OwnerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        return User.objects.filter(is_active=True).exclude(role="auditor")


# ---------------------------------------------------------------- criteria


class CriterionSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=CHANGE, help_text="A programme you may change (it cannot be changed afterwards).")
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    rollout_wave = ScopedPrimaryKeyRelatedField(model=RolloutWave, required=False, allow_null=True, help_text="Blank for every unit in the programme's rollout waves.")
    owner = _OwnerField(required=False, allow_null=True)
    units = serializers.SerializerMethodField(help_text="Units at each RAG, among those you may see.")

    class Meta:
        model = Criterion
        fields = ["id", "programme", "programme_code", "rollout_wave", "category", "title", "description", "criticality", "owner",
                  "measure", "pass_mark", "due_date", "feed", "element", "threshold", "course", "evaluated_at", "created_at", "units"]
        read_only_fields = ["evaluated_at", "created_at"]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"},
                          "description": "Count of units per RAG: " + ", ".join(Rag.values)})
    def get_units(self, criterion: Criterion) -> dict[str, int]:
        return {rag: getattr(criterion, f"n_{rag}", 0) for rag in Rag.values}


class CriterionViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Readiness criteria of the programmes you may see; filter by
    `programme`, `category`, `criticality`, `feed` or `q`. Change managers
    create, change and delete their own programmes' criteria. Saving
    evaluates the criterion (fed ones from the scores or training records)."""

    scoped_model = Criterion
    serializer_class = CriterionSerializer
    filterset_class = CriterionFilterSet
    ordering_fields = ["title", "due_date", "criticality", "created_at"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.select_related("programme", "owner")
        return cast(CriterionQuerySet, queryset).with_rag_counts(self.request.user).order_by("programme__code", "category", "title", "pk")

    def _fields(self, data: dict[str, Any], instance: Criterion | None) -> dict[str, Any]:
        return {name: data[name] if name in data else (getattr(instance, name) if instance is not None else None)
                for name in services.CRITERION_FIELDS}

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        with service_errors():
            saved = services.criterion_save(programme=data["programme"], actor=self.request.user, **self._fields(data, None))
        serializer.instance = self._counted(saved)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        instance = cast(Criterion, serializer.instance)
        data = dict(serializer.validated_data)
        programme = data.get("programme", instance.programme)
        with service_errors():
            saved = services.criterion_save(programme=programme, criterion=instance, actor=self.request.user, **self._fields(data, instance))
        serializer.instance = self._counted(saved)

    def _counted(self, criterion: Criterion) -> Criterion:
        """The saved criterion as a read returns it, with its unit counts."""
        return self.base_queryset(Criterion.objects.filter(pk=criterion.pk)).get()

    def perform_destroy(self, instance: Criterion) -> None:
        with service_errors():
            services.criterion_delete(criterion=instance, actor=self.request.user)


# ---------------------------------------------------------------- statuses


class CriterionStatusSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="criterion.programme_id", read_only=True)
    feed = serializers.CharField(source="criterion.feed", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    rag_label = serializers.CharField(source="get_rag_display", read_only=True)
    updated_by = serializers.CharField(source="updated_by.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = CriterionStatus
        fields = ["id", "criterion", "programme", "feed", "unit", "unit_code", "unit_name", "rag", "rag_label", "value", "note", "as_of",
                  "updated_at", "updated_by"]
        read_only_fields = ["criterion", "unit", "value", "as_of", "updated_at"]


class CriterionStatusViewSet(ScopedViewSetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Each unit's status on each criterion you may see; filter by
    `criterion`, `programme`, `unit` or `rag`. PATCH `rag` and `note` for a
    manual criterion (a fed criterion's statuses are worked out: 400)."""

    scoped_model = CriterionStatus
    serializer_class = CriterionStatusSerializer
    filterset_class = CriterionStatusFilterSet
    ordering_fields = ["unit__path", "rag", "as_of"]
    http_method_names = ["get", "patch", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return (queryset.select_related("criterion", "unit", "updated_by")
                .order_by("criterion__programme__code", "criterion__title", "criterion_id", "unit__path"))

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        status = cast(CriterionStatus, serializer.instance)
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.status_set(status=status, rag=data.get("rag", status.rag), note=data.get("note", status.note),
                                                      actor=self.request.user)


# ---------------------------------------------------------------- evidence


class EvidenceSerializer(serializers.ModelSerializer):
    criterion = ScopedPrimaryKeyRelatedField(model=Criterion, action=CHANGE, help_text="A criterion you may change.")
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True,
                                              help_text="One of the units the criterion assesses; blank for the whole criterion.")
    url = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="A link (http or https), or send a file instead.")
    file = serializers.FileField(required=False, write_only=True, help_text="Multipart upload: " + services.ALLOWED_TYPES_TEXT + ".")
    added_by = serializers.CharField(source="added_by.username", read_only=True, default=None, allow_null=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "criterion", "unit", "title", "url", "file", "file_name", "content_type", "size", "added_by", "added_at", "download"]
        read_only_fields = ["file_name", "content_type", "size", "added_at"]

    @extend_schema_field(serializers.URLField(allow_null=True, read_only=True))
    def get_download(self, evidence: Evidence) -> str | None:
        if not evidence.file:
            return None
        from django.urls import reverse

        path = reverse("api-evidence-download", args=[evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PassthroughRenderer(BaseRenderer):
    """Lets a download be asked for with the file's own type in Accept."""

    media_type = "*/*"
    format = "file"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        return data


class EvidenceViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Evidence behind the criteria you may see; filter by `criterion`,
    `programme` or `unit`. Create with JSON (a link) or multipart (a file,
    checked by size, extension and content like the page). A file's content
    is at `download/`, only through this scope check."""

    scoped_model = Evidence
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["added_at", "title"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("criterion", "unit", "added_by").order_by("-added_at", "-pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.evidence_add(criterion=data["criterion"], title=data.get("title", ""), url=data.get("url", ""),
                                                        file=data.get("file"), unit=data.get("unit"), actor=self.request.user)

    def perform_destroy(self, instance: Evidence) -> None:
        with service_errors():
            services.evidence_delete(evidence=instance, actor=self.request.user)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment."),
                              404: OpenApiResponse(description="Not found, or a link (no file).")})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PassthroughRenderer])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The uploaded file, as an attachment that must not be sniffed."""
        evidence = self.get_object()
        return attachment_response(open_or_404(evidence.file), filename=evidence.file_name or "evidence",
                                   content_type=evidence.content_type or "application/octet-stream")
