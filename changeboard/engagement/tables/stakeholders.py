"""The register's table (the list page and its export use the same filtered
rows) and the table of a stakeholder's assessments, with the derived impact
beside the judged one."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html

from ..models import Stakeholder, StakeholderAssessment


def kind_text(stakeholder: Stakeholder) -> str:
    if stakeholder.kind == Stakeholder.Kind.GROUP and stakeholder.group_kind:
        return f"Group: {stakeholder.get_group_kind_display()}"
    return str(stakeholder.get_kind_display())


def detail_text(stakeholder: Stakeholder) -> str:
    """Where the stakeholder sits: a person's unit and role, an external
    person's organisation, a group's unit and role group."""
    if stakeholder.kind == Stakeholder.Kind.PERSON and stakeholder.staff_id:
        staff = stakeholder.staff
        return f"{staff.unit.name}, {staff.role}" if staff.role else staff.unit.name  # type: ignore[union-attr]
    if stakeholder.kind == Stakeholder.Kind.EXTERNAL:
        return ", ".join(part for part in (stakeholder.role_title, stakeholder.organisation) if part)
    parts = [stakeholder.unit.name if stakeholder.unit_id else "", stakeholder.get_role_group_display() if stakeholder.role_group else ""]  # type: ignore[union-attr]
    return ", ".join(p for p in parts if p)


class StakeholderTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name="Stakeholder", order_by=("name", "pk"))
    kind = tables.Column(verbose_name="Kind")
    detail = tables.Column(accessor="pk", verbose_name="Unit, organisation or group", orderable=False)
    mapped = tables.Column(verbose_name="Programmes mapped (that you can see)", order_by=("mapped", "pk"))
    needs_review = tables.Column(verbose_name="Needs review", default="")
    active = tables.BooleanColumn(verbose_name="On the register", yesno="Yes,No")

    class Meta:
        model = Stakeholder
        fields = ["name", "kind", "detail", "mapped", "needs_review", "active"]
        empty_text = "No stakeholders match these filters."

    def render_name(self, record: Stakeholder) -> str:
        return record.display_name

    def render_kind(self, record: Stakeholder) -> str:
        return kind_text(record)

    def render_detail(self, record: Stakeholder) -> str:
        return detail_text(record)

    def render_needs_review(self, value: str) -> str:
        return format_html('<strong class="govuk-tag govuk-tag--orange">{}</strong>', value) if value else ""


class AssessmentTable(tables.Table):
    """Assessments with `derived` set (`services.stakeholders.with_derived`)."""

    stakeholder = tables.Column(accessor="stakeholder", verbose_name="Stakeholder", orderable=False)
    programme = tables.Column(accessor="programme__code", verbose_name="Programme", orderable=False)
    influence = tables.Column(orderable=False)
    interest = tables.Column(orderable=False)
    impact_judgement = tables.Column(verbose_name="Judged impact", default="Not judged", orderable=False)
    derived = tables.Column(accessor="pk", verbose_name="Derived impact (approved assessments)", orderable=False)
    current_position = tables.Column(verbose_name="Current position", orderable=False)
    target_position = tables.Column(verbose_name="Target position", orderable=False)
    owner = tables.Column(verbose_name="Owner", default="No owner", orderable=False)
    link = tables.Column(accessor="pk", verbose_name="Mapping", orderable=False)

    class Meta:
        model = StakeholderAssessment
        fields = ["stakeholder", "programme", "influence", "interest", "impact_judgement", "derived", "current_position", "target_position",
                  "owner", "link"]
        empty_text = "Not mapped for any programme you can see."

    def render_stakeholder(self, record: StakeholderAssessment) -> str:
        return format_html('<a class="govuk-link" href="{}">{}</a>', record.stakeholder.get_absolute_url(), record.stakeholder.display_name)

    def render_derived(self, record: Any) -> str:
        return record.derived.text

    def render_owner(self, value: Any) -> str:
        return value.get_full_name() or value.username

    def render_link(self, record: StakeholderAssessment) -> str:
        return format_html('<a class="govuk-link" href="{}">View<span class="govuk-visually-hidden"> {} for {}</span></a>',
                           record.get_absolute_url(), record.stakeholder.display_name, record.programme.code)
