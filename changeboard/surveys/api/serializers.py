"""Serializers of the survey API.

Anonymity: nothing here serializes a Response, an Answer, an Invitation, a
token, a Staff row, a deferral or the user who built a wave. Participation
is only ever shown as counts per group, with the threshold rules of
`tracking.RateRow.as_dict()` (a group with fewer people invited than the
wave's `min_responses` carries no responded, imported or rate).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from changeboard.core.api import ScopedPrimaryKeyRelatedField
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..models import ANSWER_TEXT_MAX, Instrument, InstrumentItem, Question, SurveyWave

# ---------------------------------------------------------------- instruments


@extend_schema_field({"type": "string", "description": "One of " + "; ".join(f"`{v}` ({label})" for v, label in Question.Kind.choices)})
class QuestionKindField(serializers.CharField):
    """A question's kind, described in words: a named enum would collide
    with the rank kinds' and need a project-wide schema setting."""


class InstrumentQuestionSerializer(serializers.ModelSerializer):
    """A question of an instrument, read through its item (so in position order)."""

    code = serializers.CharField(source="question.code")
    text = serializers.CharField(source="question.text")
    hint = serializers.CharField(source="question.hint")
    kind = QuestionKindField(source="question.kind")
    adkar = serializers.CharField(source="question.adkar")
    choices = serializers.ListField(source="question.choices", child=serializers.CharField())

    class Meta:
        model = InstrumentItem
        fields = ["position", "code", "text", "hint", "kind", "adkar", "choices"]
        read_only_fields = fields


class InstrumentSerializer(serializers.ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True, default=None, allow_null=True)
    questions = InstrumentQuestionSerializer(source="items", many=True, read_only=True, help_text="In the order they are asked.")

    class Meta:
        model = Instrument
        fields = ["id", "name", "programme", "programme_code", "lineage", "version", "is_default", "locked", "created_at", "questions"]
        read_only_fields = fields


# ---------------------------------------------------------------- waves


class SurveyWaveSerializer(serializers.ModelSerializer):
    """A wave's settings. Participation is on `rates/`, with its threshold rules."""

    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=CHANGE)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    instrument = ScopedPrimaryKeyRelatedField(model=Instrument, help_text="Any version: the wave takes the latest one.")
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    instrument_version = serializers.IntegerField(source="instrument.version", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    units = ScopedPrimaryKeyRelatedField(model=Unit, many=True, required=False, help_text="With audience_source=manual: each unit with everything below it.")
    roles = serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                  help_text="Job roles to narrow to; none means every role.")

    class Meta:
        model = SurveyWave
        fields = ["id", "programme", "programme_code", "instrument", "instrument_name", "instrument_version", "title", "status",
                  "status_label", "opens_on", "closes_on", "recurrence", "repeat_until", "series", "round_number", "audience_source",
                  "units", "roles", "sampling", "sample_per_unit", "min_responses", "min_comments", "created_at", "sent_at",
                  "reminders_sent", "last_reminder_on"]
        read_only_fields = ["status", "series", "round_number", "created_at", "sent_at", "reminders_sent", "last_reminder_on"]


class SurveyAudienceSerializer(serializers.Serializer):
    """What launching now would do: counts only."""

    eligible = serializers.IntegerField(help_text="People in the audience, in post and not on long leave.")
    to_invite = serializers.IntegerField(help_text="After sampling.")
    units = serializers.IntegerField(help_text="Teams the audience is in.")
    without_email = serializers.IntegerField(help_text="Of those to invite, people with no email address on record.")


class SurveyRateSerializer(serializers.Serializer):
    """One group's participation. A group with fewer invited than the wave's
    threshold is `suppressed`: responded, imported and rate are null."""

    label = serializers.CharField()  # type: ignore[assignment]  # an API field named label (DRF's Field.label is its caption)
    invited = serializers.IntegerField()
    suppressed = serializers.BooleanField()
    responded = serializers.IntegerField(allow_null=True)
    imported = serializers.IntegerField(allow_null=True)
    response_rate = serializers.FloatField(allow_null=True, help_text="Per cent of those invited who answered through their link.")


class SurveyUnitRateSerializer(SurveyRateSerializer):
    unit_id = serializers.IntegerField(allow_null=True, required=False, help_text="Null for the parent's own staff.")
    unit_code = serializers.CharField(allow_null=True, required=False)
    has_children = serializers.BooleanField(help_text="Whether `?unit=<unit_id>` breaks the row down further.")


class SurveyRateUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class SurveyRatesSerializer(serializers.Serializer):
    threshold = serializers.IntegerField(help_text="The wave's min_responses: smaller groups show no responses.")
    total = SurveyRateSerializer()
    parent = SurveyRateUnitSerializer(allow_null=True, help_text="The unit whose children the unit rows are.")
    units = SurveyUnitRateSerializer(many=True)
    role_groups = SurveyRateSerializer(many=True)


# ---------------------------------------------------------------- answering by link


class SurveyOptionSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # an API field named label (DRF's Field.label is its caption)


class SurveyQuestionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The key of this answer in the submitted object.")
    code = serializers.CharField()
    text = serializers.CharField()
    hint = serializers.CharField()
    kind = QuestionKindField()
    options = SurveyOptionSerializer(many=True, help_text="The allowed values (empty for free text).")
    max_length = serializers.IntegerField(allow_null=True, help_text=f"For free text: at most {ANSWER_TEXT_MAX} characters.")


class SurveySectionSerializer(serializers.Serializer):
    programme = serializers.CharField(help_text="The programme's name.")
    wave = serializers.CharField(help_text="The wave's title.")
    questions = SurveyQuestionSerializer(many=True)


class SurveyFormSerializer(serializers.Serializer):
    closes_on = serializers.DateField()
    sections = SurveySectionSerializer(many=True)


class SurveyStoredSerializer(serializers.Serializer):
    stored = serializers.IntegerField(help_text="Responses stored: one per programme on the link.")


class SurveyMessageSerializer(serializers.Serializer):
    detail = serializers.CharField()
