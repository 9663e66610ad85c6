"""`/api/v1/practitioners/` and `/api/v1/capability-assessments/`, with the
pages' scopes.

- Practitioners: list (filters `programme`, `role`, `active`), read, add
  (`staff_number`, `role`, optional `user`, `coach`, `programmes`) and change,
  through `services.practitioners`.
- Assessments: list (filters `practitioner`, `kind`), read, and record
  (`practitioner`, `kind`, `ratings` [{competency, level}] covering every
  competency of the current framework) through `assessment_record`: a
  self-assessment only by the practitioner's own account (else 403), a
  coach's only by their coach or an admin (else 403)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from changeboard.accounts.models import User
from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors, signed_in
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Staff
from changeboard.portfolio.models import Programme

from ..filtersets.practitioners import AssessmentFilterSet, PractitionerFilterSet
from ..forms.practitioners import account_choices, coach_choices, role_choices
from ..models import Assessment, Competency, Practitioner, Rating
from ..services import practitioners as services


class _RoleField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        return role_choices()


class _AccountField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        return account_choices()


class _CoachField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        return coach_choices()


class PractitionerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    staff_number = serializers.CharField(write_only=True, required=False, max_length=20,
                                         help_text="On adding: the person's staff number in the HR record.")
    role = _RoleField(help_text="A role of the current framework.")
    role_name = serializers.CharField(source="role.name", read_only=True)
    user = _AccountField(required=False, allow_null=True, help_text="Their Changeboard account (needed to self-assess).")
    coach = _CoachField(required=False, allow_null=True, help_text="Their coach: a change manager or admin.")
    programmes = ScopedPrimaryKeyRelatedField(model=Programme, action=CHANGE, many=True, required=False,
                                              help_text="Programmes they work on (ones you may change).")

    class Meta:
        model = Practitioner
        fields = ["id", "staff", "name", "staff_number", "role", "role_name", "user", "coach", "programmes", "active", "added_at"]
        read_only_fields = ["staff", "added_at"]

    def validate_staff_number(self, value: str) -> Staff:
        staff = Staff.objects.filter(staff_number=value.strip()).first()
        if staff is None:
            raise serializers.ValidationError("No one in the organisation has this staff number")
        return staff


class PractitionerViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Practitioners: the force's own people whose change capability is being built."""

    scoped_model = Practitioner
    serializer_class = PractitionerSerializer
    filterset_class = PractitionerFilterSet
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("staff", "role").prefetch_related("programmes").order_by("staff__last_name", "staff__first_name", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        if "staff_number" not in data:
            raise serializers.ValidationError({"staff_number": ["Enter the staff number of the person to add"]})
        with service_errors():
            serializer.instance = services.practitioner_add(
                staff=data["staff_number"], role=data["role"], user=data.get("user"), coach=data.get("coach"),
                programmes=data.get("programmes", []), actor=signed_in(self.request.user))

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("staff_number", None)
        practitioner: Practitioner = serializer.instance  # type: ignore[assignment]  # an update has its instance
        kwargs: dict[str, Any] = {k: data[k] for k in ("role", "user", "coach", "active") if k in data}
        if "programmes" in data:
            theirs = set(Programme.objects.restrict(self.request.user, CHANGE).values_list("pk", flat=True))
            kwargs["programmes"] = [*[p for p in practitioner.programmes.all() if p.pk not in theirs], *data["programmes"]]
        with service_errors():
            serializer.instance = services.practitioner_update(practitioner=practitioner, actor=signed_in(self.request.user), **kwargs)


class RatingSerializer(serializers.ModelSerializer):
    competency = serializers.PrimaryKeyRelatedField(queryset=Competency.objects.all())
    competency_code = serializers.CharField(source="competency.code", read_only=True)

    class Meta:
        model = Rating
        fields = ["competency", "competency_code", "level"]
        read_only_fields = ["competency_code"]


class CapabilityAssessmentSerializer(serializers.ModelSerializer):
    practitioner = ScopedPrimaryKeyRelatedField(model=Practitioner, help_text="A practitioner you may see.")
    ratings = RatingSerializer(many=True, help_text="One level (1 to 4) per competency of the current framework.")
    assessor_name = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "practitioner", "kind", "assessor", "assessor_name", "assessed_on", "note", "ratings"]
        read_only_fields = ["assessor"]
        extra_kwargs = {"assessed_on": {"required": False}, "note": {"required": False}}

    def get_assessor_name(self, assessment: Assessment) -> str:
        user: User | None = assessment.assessor
        return (user.get_full_name() or user.username) if user is not None else ""


class AssessmentViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Self- and coach's assessments of the practitioners you may see."""

    scoped_model = Assessment
    serializer_class = CapabilityAssessmentSerializer
    filterset_class = AssessmentFilterSet

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("assessor").prefetch_related("ratings__competency").order_by("-assessed_on", "-pk")

    def get_queryset(self) -> QuerySet:
        if self.request.method == "POST":  # who may assess is the service's rule (403), the practitioner field's scope is view
            return Assessment.objects.none()
        return super().get_queryset()

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        ratings: dict[int, int] = {}
        for item in data["ratings"]:
            ratings[item["competency"].pk] = item["level"]
        with service_errors():
            serializer.instance = services.assessment_record(
                practitioner=data["practitioner"], kind=data["kind"], ratings=ratings, assessed_on=data.get("assessed_on"),
                note=data.get("note", ""), actor=signed_in(self.request.user))
