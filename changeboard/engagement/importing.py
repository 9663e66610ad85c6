"""A stakeholder list imported from CSV or XLSX into the register (and each
row's mapping for a programme): check every row, preview what it would do,
then commit (a `core.importing.Importer`; the pages are in
`views/stakeholders.py`). Every write goes through
`services.stakeholders`, so each entry has its own audit row, and the
import one more.

Columns: `kind` (person, external or group), `staff_number` (people),
`name`, `organisation`, `role`, `email`, `group_kind` (unit, role group or
body), `unit_code`, `role_group` (officers, staff, volunteers), and for
the mapping `programme_code`, `influence` and `interest` (1-5),
`current_position` and `target_position` (strongly against, against,
neutral, supportive, champion or 1-5), `owner_username`, `notes`.

Re-importing updates in place: a person is matched by staff number, an
external person by name and organisation, a unit or role group by unit and
role group, a body by name; a mapping by stakeholder and programme. A file
imported twice changes nothing the second time. Text that looks like a
spreadsheet formula is stored as typed (exports neutralise it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from changeboard.accounts.models import Role, User
from changeboard.core.importing import Columns, Importer, ImportRefusedBase, ImportReportBase, Problem, Sheet
from changeboard.core.models import PendingUpload
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import RoleGroup

from .models import Position, Stakeholder, StakeholderAssessment
from .services import stakeholders as services

__all__ = ["COLUMNS", "StakeholderImportRefused", "StakeholderImportReport", "StakeholderImporter"]

COLUMNS: tuple[str, ...] = ("kind", "staff_number", "name", "organisation", "role", "email", "group_kind", "unit_code", "role_group",
                            "programme_code", "influence", "interest", "current_position", "target_position", "owner_username", "notes")
REQUIRED: tuple[str, ...] = ("kind",)
ALIASES: dict[str, tuple[str, ...]] = {
    "kind": ("type", "stakeholder_kind", "stakeholder_type"),
    "staff_number": ("staff_no", "employee_number"),
    "role": ("role_title", "job_title", "title"),
    "group_kind": ("group_type",),
    "unit_code": ("unit",),
    "programme_code": ("programme",),
    "current_position": ("current", "position"),
    "target_position": ("target",),
    "owner_username": ("owner",),
}
LABELS = {
    "kind": "person (in the organisation), external, or group",
    "staff_number": "People in the organisation: their staff number",
    "name": "External people and bodies: the name (groups: optional)",
    "organisation": "External people: their organisation",
    "role": "Their role",
    "email": "External people and bodies: a contact address",
    "group_kind": "Groups: unit, role group or body",
    "unit_code": "Unit groups (and optionally role groups): the unit's code in the organisation model",
    "role_group": "Role groups: officers, staff or volunteers",
    "programme_code": "To map the stakeholder for a programme (one of yours): its code",
    "influence": "With a programme: 1 (low) to 5 (high)",
    "interest": "With a programme: 1 (low) to 5 (high)",
    "current_position": "Strongly against, against, neutral, supportive or champion (or 1 to 5)",
    "target_position": "As current_position",
    "owner_username": "Who keeps the relationship: a change manager's or administrator's username",
    "notes": "Notes on the mapping (or on the stakeholder, without a programme)",
}
PREVIEW_ROWS = 100
KINDS = {"person": Stakeholder.Kind.PERSON, "staff": Stakeholder.Kind.PERSON, "person in the organisation": Stakeholder.Kind.PERSON,
         "external": Stakeholder.Kind.EXTERNAL, "external person": Stakeholder.Kind.EXTERNAL, "group": Stakeholder.Kind.GROUP}
GROUP_KINDS = {"unit": Stakeholder.GroupKind.UNIT, "role group": Stakeholder.GroupKind.ROLE_GROUP, "role_group": Stakeholder.GroupKind.ROLE_GROUP,
               "body": Stakeholder.GroupKind.BODY}
ROLE_GROUPS = {**{v: v for v in RoleGroup.values}, **{str(label).lower(): v for v, label in RoleGroup.choices},
               "officers": RoleGroup.OFFICER, "police officers": RoleGroup.OFFICER, "police staff": RoleGroup.STAFF,
               "volunteers": RoleGroup.OTHER, "contractors": RoleGroup.OTHER}
POSITIONS = {**{str(v): v for v in Position.values}, **{str(label).lower(): v for v, label in Position.choices}}
POSITIONS_TEXT = "strongly against, against, neutral, supportive or champion (or 1 to 5)"
LIMITS = {"name": 200, "organisation": 200, "role": 200, "email": 254, "notes": 5000}


class StakeholderImportRefused(ImportRefusedBase):
    report: StakeholderImportReport


@dataclass(slots=True)
class StakeholderRow:
    row: int
    key: tuple[Any, ...]
    kind: str
    fields: dict[str, Any]
    programme: Programme | None
    mapping: dict[str, Any]

    @property
    def label(self) -> str:
        staff = self.fields.get("staff")
        if staff is not None:
            return staff.full_name
        return self.fields.get("name") or (self.fields["unit"].name if self.fields.get("unit") else self.fields.get("role_group", ""))

    @property
    def kind_label(self) -> str:
        return str(Stakeholder.Kind(self.kind).label)


@dataclass
class StakeholderImportReport(ImportReportBase):
    valid_label: ClassVar[str] = "Valid rows"

    updated: int = 0
    unchanged: int = 0
    mapped: int = 0
    remapped: int = 0
    records: list[StakeholderRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "valid": self.valid, "invalid": self.invalid, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "mapped": self.mapped, "remapped": self.remapped}

    def summary(self) -> str:
        if not self.committed:
            return f"Would import {self.valid} of {self.rows} row{'s' if self.rows != 1 else ''}{self.skipped_note()}."
        return (f"Imported {self.rows} row{'s' if self.rows != 1 else ''}: {self.created} new stakeholder{'s' if self.created != 1 else ''}, "
                f"{self.updated} updated, {self.unchanged} unchanged; {self.mapped} new mapping{'s' if self.mapped != 1 else ''}, "
                f"{self.remapped} updated{self.skipped_note()}.")


def _key(kind: str, fields: dict[str, Any]) -> tuple[Any, ...]:
    """Who the row is, however its other columns change."""
    if kind == Stakeholder.Kind.PERSON:
        return (kind, fields["staff"].pk)
    if kind == Stakeholder.Kind.EXTERNAL:
        return (kind, fields["name"].strip().lower(), fields.get("organisation", "").strip().lower())
    group_kind = fields["group_kind"]
    if group_kind == Stakeholder.GroupKind.BODY:
        return (kind, group_kind, fields["name"].strip().lower())
    unit = fields.get("unit")
    return (kind, group_kind, unit.pk if unit is not None else None, fields.get("role_group", ""))


def stakeholder_key(stakeholder: Stakeholder) -> tuple[Any, ...]:
    return _key(stakeholder.kind, {"staff": stakeholder.staff, "name": stakeholder.name, "organisation": stakeholder.organisation,
                                   "group_kind": stakeholder.group_kind, "unit": stakeholder.unit, "role_group": stakeholder.role_group})


class StakeholderImporter(Importer[StakeholderImportReport]):
    """The stakeholder list's columns and row rules; the pipeline is `core.importing`."""

    kind = PendingUpload.Kind.STAKEHOLDERS
    label = "Stakeholder import"
    report_class = StakeholderImportReport
    refused_error = StakeholderImportRefused
    columns = COLUMNS
    required = REQUIRED
    aliases = ALIASES
    column_labels = LABELS
    user: Any = None

    # The uploader decides which programmes a row may map for.
    def commit_options(self, upload: PendingUpload) -> dict[str, Any]:
        return {"user": upload.uploaded_by}

    def preview(self, data: bytes, filename: str = "", *, skip_invalid: bool = False, user: Any = None) -> StakeholderImportReport:
        self.user = user
        return super().preview(data, filename, skip_invalid=skip_invalid)

    def commit(self, data: bytes, filename: str = "", *, actor: Any, skip_invalid: bool = False, import_id: str = "",
               user: Any = None) -> StakeholderImportReport:
        self.user = user or actor
        return super().commit(data, filename, actor=actor, skip_invalid=skip_invalid, import_id=import_id)

    def prepare(self, sheet: Sheet, columns: Columns) -> None:
        def values(name: str) -> set[str]:
            at = columns.get(name)
            return set() if at is None else {cells[at].strip() for _, cells in sheet.rows if at < len(cells)} - {""}

        self.staff = {s.staff_number: s for s in Staff.objects.filter(staff_number__in=sorted(values("staff_number"))).select_related("unit")}
        self.units = {u.code.lower(): u for u in Unit.objects.filter(code__in=sorted(values("unit_code")))}
        for unit in Unit.objects.filter(code__in=sorted({c.upper() for c in values("unit_code")})):
            self.units.setdefault(unit.code.lower(), unit)
        self.programmes = {p.code.lower(): p for p in Programme.objects.restrict(self.user, CHANGE)} if self.user is not None else {}
        self.owners = {u.username.lower(): u for u in
                       User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.CHANGE_MANAGER], username__in=sorted(values("owner_username")))}
        self.seen: dict[tuple[Any, ...], int] = {}

    def check_row(self, number: int, cell: dict[str, str]) -> tuple[StakeholderRow | None, list[Problem]]:
        problems: list[Problem] = []
        get = cell.get

        def problem(column: str, value: str, reason: str) -> None:
            problems.append(Problem(number, column, value[:100], reason))

        for column, limit in LIMITS.items():
            if len(get(column, "")) > limit:
                problem(column, get(column, ""), f"Too long: at most {limit} characters")
        kind_text = get("kind", "")
        kind = KINDS.get(kind_text.lower())
        fields: dict[str, Any] = {}
        if not kind_text:
            problem("kind", "", "Missing: every row needs a kind (person, external or group)")
        elif kind is None:
            problem("kind", kind_text, "Not a kind: use person, external or group")
        elif kind == Stakeholder.Kind.PERSON:
            number_text = get("staff_number", "")
            if not number_text:
                problem("staff_number", "", "Missing: a person in the organisation needs their staff number")
            elif number_text not in self.staff:
                problem("staff_number", number_text, "Unknown staff number: nobody in the organisation model has it")
            else:
                fields["staff"] = self.staff[number_text]
        elif kind == Stakeholder.Kind.EXTERNAL:
            if not get("name"):
                problem("name", "", "Missing: an external person needs a name")
            fields.update(name=get("name", ""), organisation=get("organisation", ""))
        else:
            group_text = get("group_kind", "")
            group_kind = GROUP_KINDS.get(group_text.lower().replace("-", " "))
            if not group_text:
                problem("group_kind", "", "Missing: a group needs its kind (unit, role group or body)")
            elif group_kind is None:
                problem("group_kind", group_text, "Not a kind of group: use unit, role group or body")
            else:
                fields["group_kind"] = group_kind
                unit_text, role_text = get("unit_code", ""), get("role_group", "")
                if group_kind == Stakeholder.GroupKind.BODY:
                    if not get("name"):
                        problem("name", "", "Missing: a body needs a name")
                    fields["name"] = get("name", "")
                else:
                    if unit_text:
                        unit = self.units.get(unit_text.lower())
                        if unit is None:
                            problem("unit_code", unit_text, "Unknown unit: no unit in the organisation model has this code")
                        fields["unit"] = unit
                    elif group_kind == Stakeholder.GroupKind.UNIT:
                        problem("unit_code", "", "Missing: a unit group needs the unit's code")
                    if role_text:
                        role_group = ROLE_GROUPS.get(role_text.lower())
                        if role_group is None:
                            problem("role_group", role_text, "Not a role group: use officers, staff or volunteers")
                        fields["role_group"] = role_group or ""
                    elif group_kind == Stakeholder.GroupKind.ROLE_GROUP:
                        problem("role_group", "", "Missing: a role group needs the group (officers, staff or volunteers)")
                    if get("name"):  # blank: named after the unit and group (and left so on re-import)
                        fields["name"] = get("name", "")
        email = get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problem("email", email, "Not an email address")
        for column, name in (("role", "role_title"), ("email", "email")):
            if kind != Stakeholder.Kind.PERSON or get(column):
                fields[name] = get(column, "")

        programme: Programme | None = None
        mapping: dict[str, Any] = {}
        programme_text = get("programme_code", "")
        if programme_text:
            programme = self.programmes.get(programme_text.lower())
            if programme is None:
                problem("programme_code", programme_text, "Unknown programme: no programme of yours has this code")
            for column in ("influence", "interest"):
                text = get(column, "")
                if not text:
                    problem(column, "", f"Missing: a mapping needs the {column}, 1 to 5")
                elif not (text.isascii() and text.isdigit() and 1 <= int(text) <= 5):
                    problem(column, text, "Out of range: use a whole number from 1 to 5")
                else:
                    mapping[column] = int(text)
            for column in ("current_position", "target_position"):
                text = get(column, "")
                if text:
                    position = POSITIONS.get(text.lower())
                    if position is None:
                        problem(column, text, f"Not a position: use {POSITIONS_TEXT}")
                    else:
                        mapping[column] = position
            owner_text = get("owner_username", "")
            if owner_text:
                owner = self.owners.get(owner_text.lower())
                if owner is None:
                    problem("owner_username", owner_text, "Unknown owner: no active change manager or administrator has this username")
                mapping["owner"] = owner
            if get("notes"):
                mapping["notes"] = get("notes", "")
        else:
            for column in ("influence", "interest", "current_position", "target_position", "owner_username"):
                if get(column):
                    problem(column, get(column, ""), "Needs a programme: fill in programme_code to map the stakeholder")
            if get("notes"):
                fields["notes"] = get("notes", "")

        if problems or kind is None:
            return None, problems
        key = _key(kind, fields)
        first = self.seen.setdefault((*key, programme.pk if programme else None), number)
        if first != number:
            problem("kind", kind_text, f"Duplicate: the same stakeholder{' and programme' if programme else ''} is on row {first}")
            return None, problems
        return StakeholderRow(number, key, kind, fields, programme, mapping), []

    def accept(self, report: StakeholderImportReport, row: StakeholderRow) -> None:
        report.records.append(row)

    def write(self, report: StakeholderImportReport, *, actor: Any) -> None:
        existing = {stakeholder_key(s): s for s in Stakeholder.objects.select_related("staff", "unit")}
        created: set[int] = set()
        touched: set[int] = set()
        for row in report.records:
            stakeholder = existing.get(row.key)
            if stakeholder is None:
                stakeholder = services.stakeholder_create(kind=row.kind, actor=actor, **row.fields)
                existing[row.key] = stakeholder
                created.add(stakeholder.pk)
                report.created += 1
            elif stakeholder.pk not in created and stakeholder.pk not in touched:
                changes = {k: v for k, v in row.fields.items() if getattr(stakeholder, k) != v}
                touched.add(stakeholder.pk)
                if changes:
                    stakeholder = services.stakeholder_update(stakeholder=stakeholder, actor=actor, **changes)
                    existing[row.key] = stakeholder
                    report.updated += 1
                else:
                    report.unchanged += 1
            if row.programme is None:
                continue
            assessment = StakeholderAssessment.objects.filter(stakeholder=stakeholder, programme=row.programme).first()
            if assessment is None:
                services.assessment_create(stakeholder=stakeholder, programme=row.programme, actor=actor, **row.mapping)
                report.mapped += 1
            else:
                changes = {k: v for k, v in row.mapping.items() if getattr(assessment, k) != v}
                if changes:
                    services.assessment_update(assessment=assessment, actor=actor, **changes)
                    report.remapped += 1

    def sample_rows(self) -> tuple[list[str], list[list[str]]]:
        return list(COLUMNS), [
            ["person", "100001", "", "", "", "", "", "", "", "AAA", "4", "5", "neutral", "supportive", "", "Runs the response teams"],
            ["external", "", "Jo Bloggs", "Crown Prosecution Service", "Area lead", "jo.bloggs@example.org", "", "", "", "AAA", "3", "4",
             "against", "neutral", "", ""],
            ["group", "", "Police Federation", "", "", "", "body", "", "", "AAA", "5", "4", "against", "neutral", "", ""],
        ]
