"""Readiness surveys through the API, scoped like the pages: questionnaires,
waves (create, launch, audience, response rates) and answering by link.

Anonymity: only counts leave through here, with the threshold rules of the
pages. No response, answer, invitation, token, person or deferral list is
served; the answering endpoint takes a link's token and says nothing about
who holds it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from changeboard.core.api import ActionScopedMixin, service_errors, signed_in
from changeboard.core.params import parse_id
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import CHANGE
from changeboard.portfolio.models import Programme

from .. import services, tracking
from ..filtersets import WaveFilterSet
from ..models import ANSWER_TEXT_MAX, Instrument, InstrumentItem, Question, SurveyWave
from ..views.respond import LIKERT
from . import serializers as s

# ---------------------------------------------------------------- questionnaires


class InstrumentViewSet(ActionScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Questionnaires you may see (every version), each with its questions in
    the order they are asked. Portfolio-wide ones have no programme."""

    scoped_model = Instrument
    serializer_class = s.InstrumentSerializer
    permission_classes = [ActionScopedPermission]
    ordering_fields = ["name", "version", "created_at"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        items = InstrumentItem.objects.select_related("question").order_by("position", "pk")
        return (queryset.select_related("programme").prefetch_related(Prefetch("items", queryset=items))
                .order_by("programme__code", "name", "-version", "pk"))


# ---------------------------------------------------------------- waves


UNIT_PARAMETER = OpenApiParameter("unit", OpenApiTypes.INT, description="Break down the children of this unit (default: the "
                                  "deepest unit above the whole audience).")


class SurveyWaveViewSet(ActionScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Survey waves of the programmes you may see; filter by `programme`,
    `status` or `q` (title). Change managers create and launch waves for
    their own programmes; changes and cancelling are on the pages."""

    scoped_model = SurveyWave
    serializer_class = s.SurveyWaveSerializer
    permission_classes = [ActionScopedPermission]
    filterset_class = WaveFilterSet
    ordering_fields = ["opens_on", "closes_on", "title"]
    http_method_names = ["get", "post", "head", "options"]
    action_rights = {"launch": CHANGE}

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.scope_action() == CHANGE:
            # A write needs the wave and its programme in the user's change scope.
            queryset = queryset.filter(programme__in=Programme.objects.restrict(self.request.user, CHANGE))
        return (queryset.select_related("programme", "instrument").prefetch_related("units")
                .order_by("-opens_on", "programme__code", "pk"))

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        fields = {name: data.pop(name) for name in services.WAVE_FIELDS if name in data}
        with service_errors():
            serializer.instance = services.wave_create(
                programme=data.pop("programme"), instrument=data.pop("instrument"), units=data.pop("units", []),
                actor=self.request.user, **fields,
            )

    @extend_schema(request=None, responses={200: s.SurveyWaveSerializer, 400: OpenApiResponse(description="The wave cannot be launched.")})
    @action(detail=True, methods=["post"])
    def launch(self, request: Request, pk: str | None = None) -> Response:
        """Schedule a draft wave: invitations go on its opening date (straight
        away when that has come)."""
        wave = self.get_object()
        with service_errors():
            services.wave_launch(wave=wave, actor=signed_in(request.user))
        return Response(self.get_serializer(wave).data)

    @extend_schema(responses=s.SurveyAudienceSerializer)
    @action(detail=True, methods=["get"])
    def audience(self, request: Request, pk: str | None = None) -> Response:
        """What launching now would do: counts of the audience, never names."""
        return Response(s.SurveyAudienceSerializer(services.audience_summary(self.get_object())).data)

    @extend_schema(parameters=[UNIT_PARAMETER], responses=s.SurveyRatesSerializer)
    @action(detail=True, methods=["get"])
    def rates(self, request: Request, pk: str | None = None) -> Response:
        """Live response tracking: invited, responded and rate for the wave,
        per unit (drill down with `?unit=`) and per role group. A group with
        fewer people invited than the wave's threshold shows no responses."""
        wave = self.get_object()
        unit_id = request.query_params.get("unit", "")
        unit_pk = parse_id(unit_id)
        if unit_id and unit_pk is None:
            raise ApiValidationError({"unit": ["A unit id."]})
        found, parent = tracking.breakdown_parent(request.user, unit_pk)
        if not found:
            raise NotFound
        parent, rows = tracking.unit_rows(wave, parent)
        units = []
        for row in rows:
            data = {"unit_id": None, "unit_code": None, **row.as_dict(), "has_children": row.has_children}
            units.append(data)
        payload = {
            "threshold": wave.min_responses,
            "total": tracking.wave_total(wave).as_dict(),
            "parent": {"id": parent.pk, "code": parent.code, "name": parent.name} if parent is not None else None,
            "units": units,
            "role_groups": [row.as_dict() for row in tracking.role_group_rows(wave)],
        }
        return Response(s.SurveyRatesSerializer(payload).data)


# ---------------------------------------------------------------- answering by link

NOT_OPEN = {"detail": "This survey link cannot be used. It may have expired, or the survey may have closed."}
ANSWERED = {"detail": "This survey has already been answered."}
BAD_VALUE = "Give a single number or a piece of text."


def _options(question: Question) -> list[dict[str, Any]]:
    """The allowed values: exactly what `services.clean_answers` accepts."""
    span = question.value_range()
    if span is None:
        return []
    labels = dict(LIKERT) if question.kind == Question.Kind.LIKERT else {}
    if question.kind == Question.Kind.CHOICE:
        labels = dict(enumerate(question.choices, start=1))
    return [{"value": n, "label": labels.get(n, str(n))} for n in range(span[0], span[1] + 1)]


def _form(invitation: Any) -> dict[str, Any]:
    sections = []
    for wave, questions in services.survey_sections(invitation):
        sections.append({
            "programme": wave.programme.name,
            "wave": wave.title,
            "questions": [{
                "name": services.field_name(wave, q), "code": q.code, "text": q.text, "hint": q.hint, "kind": q.kind,
                "options": _options(q), "max_length": ANSWER_TEXT_MAX if q.kind == Question.Kind.TEXT else None,
            } for q in questions],
        })
    return {"closes_on": invitation.expires_on, "sections": sections}


def _is_scalar(value: Any) -> bool:
    return value is None or (isinstance(value, str | int) and not isinstance(value, bool))


MESSAGE = OpenApiResponse(s.SurveyMessageSerializer)


class SurveyRespondView(APIView):
    """Answer a readiness survey from a personal link: no account.

    Every question is optional. A link answers once; a link that is unknown,
    closed or expired gets the same 404 whatever the reason. Nothing stored
    names the person or the time. Not throttled: the same answer for every
    caller, so there is no per-token or per-address state to learn from.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    parser_classes = [JSONParser]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def _state(self, token: str) -> tuple[Any, Response | None]:
        invitation, state = services.invitation_for(token)
        if state == services.LinkState.USED:
            return None, Response(ANSWERED, status=status.HTTP_409_CONFLICT)
        if state != services.LinkState.OPEN or invitation is None:
            return None, Response(NOT_OPEN, status=status.HTTP_404_NOT_FOUND)
        return invitation, None

    @extend_schema(responses={200: s.SurveyFormSerializer, 404: MESSAGE, 409: MESSAGE})
    def get(self, request: Request, token: str) -> Response:
        """The questions to answer, per programme, with the name of each
        answer's key and its allowed values."""
        invitation, refusal = self._state(token)
        if refusal is not None:
            return refusal
        return Response(s.SurveyFormSerializer(_form(invitation)).data)

    @extend_schema(
        request={"application/json": {"type": "object", "additionalProperties": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                                      "description": "Answers keyed by each question's `name`; leave out any to skip."}},
        responses={201: s.SurveyStoredSerializer, 400: OpenApiResponse(OpenApiTypes.OBJECT, description="Messages per answer key."),
                   404: MESSAGE, 409: MESSAGE},
    )
    def post(self, request: Request, token: str) -> Response:
        """Submit the answers (once)."""
        _, refusal = self._state(token)
        if refusal is not None:
            return refusal
        data = request.data
        if not isinstance(data, dict):
            return Response({"detail": "Send a JSON object of answers keyed by question name."}, status=status.HTTP_400_BAD_REQUEST)
        bad = {name: [BAD_VALUE] for name, value in data.items() if not _is_scalar(value)}
        if bad:
            return Response(bad, status=status.HTTP_400_BAD_REQUEST)
        try:
            stored = services.submit(token=token, data=data)
        except services.AlreadySubmitted:
            return Response(ANSWERED, status=status.HTTP_409_CONFLICT)
        except services.LinkNotOpen:
            return Response(NOT_OPEN, status=status.HTTP_404_NOT_FOUND)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        return Response({"stored": stored}, status=status.HTTP_201_CREATED)
