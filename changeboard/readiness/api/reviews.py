"""`/api/v1/reviews/`: business-readiness reviews with the pages' scopes.
List, read, plan and change a review while it is undecided; `decide/`
records the decision with the same rules as the page (one decision, a
critical red overridden only by the Board). Champions and auditors have no
access (403); another programme's review is not found (404)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.accounts.models import User
from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, service_errors
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import CHANGE
from changeboard.portfolio.models import Programme, RolloutWave

from ..filtersets.reviews import ReviewFilterSet
from ..forms.actions import owner_choices
from ..models import Review
from ..services import reviews as services

DECIDE = "decide"


class ReviewSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=CHANGE)
    rollout_wave = ScopedPrimaryKeyRelatedField(model=RolloutWave)
    decided = serializers.BooleanField(read_only=True)
    decided_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True, allow_null=True)
    decision = serializers.ChoiceField(choices=Review.Decision.choices, allow_blank=True, read_only=True, help_text="Blank until decided.")
    snapshot = serializers.JSONField(read_only=True, help_text="The evidence frozen with the decision (null until decided).")

    class Meta:
        model = Review
        fields = ["id", "programme", "rollout_wave", "checkpoint", "title", "scheduled_on", "notes", "decided", "decision", "held_on",
                  "decided_by", "decided_at", "conditions", "override_reason", "snapshot"]
        read_only_fields = ["decision", "held_on", "decided_at", "conditions", "override_reason"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["programme"].read_only = True  # a review stays with its programme
        return fields


class ReviewDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Review.Decision.choices)
    held_on = serializers.DateField()
    conditions = serializers.CharField(required=False, allow_blank=True, default="", help_text="One per line; required for `conditions`.")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="",
                                            help_text="For a go over a critical criterion at red: Board members and admins only.")
    raise_actions = serializers.BooleanField(required=False, default=False, help_text="Raise an action for each condition line.")
    action_owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), required=False, allow_null=True, default=None)
    action_due_date = serializers.DateField(required=False, allow_null=True, default=None)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        cast("serializers.PrimaryKeyRelatedField[User]", fields["action_owner"]).queryset = owner_choices()  # type: ignore[arg-type]  # the stubs type it with a Manager, which the Django plugin reads as a descriptor
        return fields


class ReviewViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Readiness reviews of the programmes you may see; filter by
    `programme`, `rollout_wave` or `decided`. Change managers plan and change
    their programmes' reviews while undecided; Board members and change
    managers decide."""

    scoped_model = Review
    serializer_class = ReviewSerializer
    permission_classes = [ActionScopedPermission]
    filterset_class = ReviewFilterSet
    ordering_fields = ["scheduled_on", "held_on"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    action_rights = {DECIDE: DECIDE}

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("programme", "rollout_wave", "decided_by").order_by("scheduled_on", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = services.review_save(programme=data.pop("programme"), actor=self.request.user, **data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        review = cast(Review, serializer.instance)
        with service_errors():
            serializer.instance = services.review_save(programme=review.programme, review=review, actor=self.request.user,
                                                       **serializer.validated_data)

    @extend_schema(request=ReviewDecisionSerializer, responses={200: ReviewSerializer, 400: OpenApiResponse(description="The decision was refused.")})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Record the decision (once). Freezes the scores as of `held_on`
        and the criteria and open actions as recorded on the day of the
        decision (`recorded_on` in the snapshot). A go or a go with conditions while a
        critical criterion is at red needs `override_reason`, which only a
        Board member or admin may give."""
        review = self.get_object()
        decision = ReviewDecisionSerializer(data=request.data, context=self.get_serializer_context())
        decision.is_valid(raise_exception=True)
        with service_errors():
            review = services.review_decide(review=review, actor=cast(User, request.user), **decision.validated_data)
        return Response(self.get_serializer(review).data)
