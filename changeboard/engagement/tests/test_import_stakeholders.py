"""Importing a stakeholder list: every bad input is a row error, nothing is
written unless committed, formula-looking text is stored as text, and a
re-import updates in place (twice is the same as once)."""

from __future__ import annotations

from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from changeboard.core.importing import csv_text
from changeboard.core.models import AuditEntry, PendingUpload

from ..importing import COLUMNS, StakeholderImporter, StakeholderImportRefused
from ..models import Position, Stakeholder, StakeholderAssessment

pytestmark = pytest.mark.django_db


def row(**cells: str) -> list[str]:
    return [cells.get(c, "") for c in COLUMNS]


def csv(*rows: list[str]) -> bytes:
    return csv_text(COLUMNS, rows).encode()


GOOD = [
    row(kind="person", staff_number="100001", programme_code="AAA", influence="4", interest="5", current_position="against",
        target_position="Champion", owner_username="lead"),
    row(kind="external", name="Jo Bloggs", organisation="CPS", role="Area lead", email="jo@example.org", programme_code="aaa",
        influence="3", interest="2"),
    row(kind="group", group_kind="body", name="Police Federation", notes="=HYPERLINK(\"http://evil\")"),
    row(kind="group", group_kind="unit", unit_code="{unit}", programme_code="AAA", influence="2", interest="4", current_position="2"),
    row(kind="group", group_kind="role group", role_group="officers", programme_code="AAA", influence="5", interest="1"),
]


def good(world: Any) -> bytes:
    return csv(*[[c.replace("{unit}", world.westminster.code) for c in r] for r in GOOD])


def test_a_good_file_previews_without_writing_then_commits(world: Any) -> None:
    importer = StakeholderImporter()
    report = importer.preview(good(world), "s.csv", user=world.users["lead"])
    assert (report.rows, report.valid, report.invalid) == (5, 5, 0), report.problems
    assert not Stakeholder.objects.exists() and not StakeholderAssessment.objects.exists()
    report = StakeholderImporter().commit(good(world), "s.csv", actor=world.users["lead"])
    assert (report.created, report.mapped) == (5, 4)
    person = StakeholderAssessment.objects.get(stakeholder__staff=world.staff_in)
    assert (person.influence, person.interest, person.current_position, person.target_position) == (4, 5, Position.AGAINST, Position.CHAMPION)
    assert person.owner == world.users["lead"]
    body = Stakeholder.objects.get(name="Police Federation")
    assert body.notes == "=HYPERLINK(\"http://evil\")"  # stored as typed
    assert Stakeholder.objects.get(group_kind="role_group").role_group == "officer"
    assert AuditEntry.objects.filter(action="import").count() == 1


def test_a_reimport_updates_in_place_and_twice_is_once(world: Any) -> None:
    StakeholderImporter().commit(good(world), "s.csv", actor=world.users["lead"])
    audits = AuditEntry.objects.count()
    again = StakeholderImporter().commit(good(world), "s.csv", actor=world.users["lead"])
    assert (again.created, again.updated, again.mapped, again.remapped, again.unchanged) == (0, 0, 0, 0, 5)
    assert Stakeholder.objects.count() == 5 and StakeholderAssessment.objects.count() == 4
    assert AuditEntry.objects.count() == audits + 1  # the import's own row only
    changed = csv(row(kind="external", name="Jo Bloggs", organisation="CPS", role="Chief", programme_code="AAA", influence="5", interest="2"))
    report = StakeholderImporter().commit(changed, "s.csv", actor=world.users["lead"])
    assert (report.created, report.updated, report.remapped) == (0, 1, 1)
    jo = Stakeholder.objects.get(name="Jo Bloggs")
    assert jo.role_title == "Chief" and jo.assessments.get().influence == 5


@pytest.mark.parametrize(("cells", "column", "reason"), [
    ({"kind": "person", "staff_number": "999999"}, "staff_number", "Unknown staff number"),
    ({"kind": "person"}, "staff_number", "Missing"),
    ({"kind": "group", "group_kind": "unit", "unit_code": "NOPE"}, "unit_code", "Unknown unit"),
    ({"kind": "group", "group_kind": "unit"}, "unit_code", "Missing"),
    ({"kind": "group", "group_kind": "role group", "role_group": "wizards"}, "role_group", "Not a role group"),
    ({"kind": "group", "group_kind": "body"}, "name", "Missing"),
    ({"kind": "group", "group_kind": "club"}, "group_kind", "Not a kind of group"),
    ({"kind": "external"}, "name", "Missing"),
    ({"kind": "alien", "name": "X"}, "kind", "Not a kind"),
    ({"kind": "", "name": "X"}, "kind", "Missing"),
    ({"kind": "external", "name": "X", "programme_code": "ZZZ", "influence": "3", "interest": "3"}, "programme_code", "Unknown programme"),
    # Programme BBB is not the lead's: it reads as unknown.
    ({"kind": "external", "name": "X", "programme_code": "BBB", "influence": "3", "interest": "3"}, "programme_code", "Unknown programme"),
    ({"kind": "external", "name": "X", "programme_code": "AAA", "influence": "6", "interest": "3"}, "influence", "Out of range"),
    ({"kind": "external", "name": "X", "programme_code": "AAA", "influence": "²", "interest": "3"}, "influence", "Out of range"),
    ({"kind": "external", "name": "X", "programme_code": "AAA", "influence": "3"}, "interest", "Missing"),
    ({"kind": "external", "name": "X", "programme_code": "AAA", "influence": "3", "interest": "3", "current_position": "furious"},
     "current_position", "Not a position"),
    ({"kind": "external", "name": "X", "programme_code": "AAA", "influence": "3", "interest": "3", "owner_username": "board"},
     "owner_username", "Unknown owner"),
    ({"kind": "external", "name": "X", "influence": "3"}, "influence", "Needs a programme"),
    ({"kind": "external", "name": "X", "email": "not-an-email"}, "email", "Not an email"),
    ({"kind": "external", "name": "X" * 201}, "name", "Too long"),
])
def test_every_bad_input_is_a_row_error_and_nothing_is_written(world: Any, cells: dict[str, str], column: str, reason: str) -> None:
    data = csv(row(kind="external", name="Fine person"), row(**cells))
    report = StakeholderImporter().preview(data, "s.csv", user=world.users["lead"])
    assert report.invalid == 1 and report.valid == 1
    assert [(p.row, p.column) for p in report.problems][:1] == [(3, column)], report.problems
    assert report.problems[0].reason.startswith(reason), report.problems[0].reason
    with pytest.raises(StakeholderImportRefused):
        StakeholderImporter().commit(data, "s.csv", actor=world.users["lead"])
    assert not Stakeholder.objects.exists()
    # Choosing to skip the bad row imports the good one only.
    report = StakeholderImporter().commit(data, "s.csv", actor=world.users["lead"], skip_invalid=True)
    assert report.created == 1 and list(Stakeholder.objects.values_list("name", flat=True)) == ["Fine person"]


def test_a_duplicate_row_is_an_error(world: Any) -> None:
    data = csv(row(kind="person", staff_number="100001"), row(kind="person", staff_number="100001"),
               row(kind="external", name="Jo", organisation="CPS", programme_code="AAA", influence="1", interest="1"),
               row(kind="external", name="jo", organisation="cps", programme_code="AAA", influence="2", interest="2"))
    report = StakeholderImporter().preview(data, "s.csv", user=world.users["lead"])
    assert [(p.row, p.reason.split(":")[0]) for p in report.problems] == [(3, "Duplicate"), (5, "Duplicate")]


def test_a_missing_kind_column_refuses_the_file(world: Any) -> None:
    report = StakeholderImporter().preview(b"name\r\nJo\r\n", "s.csv", user=world.users["lead"])
    assert report.missing_columns == ["kind"] and report.refused


def test_an_xlsx_file_imports_too(world: Any) -> None:
    import io

    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append(list(COLUMNS))
    sheet.append(row(kind="group", group_kind="body", name="Unison", programme_code="AAA", influence="3", interest="4"))
    buffer = io.BytesIO()
    book.save(buffer)
    report = StakeholderImporter().commit(buffer.getvalue(), "s.xlsx", actor=world.users["lead"])
    assert report.created == 1 and report.mapped == 1


def test_the_pages_upload_preview_and_commit(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    sample = client.get(reverse("stakeholder-import") + "?template=1")
    assert sample.status_code == 200 and b"staff_number" in b"".join(sample.streaming_content)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("stakeholder-import"), {"file": SimpleUploadedFile("s.csv", good(world), content_type="text/csv")})
    assert response.status_code == 302, response.content[:2000]
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and b"Police Federation" in preview.content
    assert not Stakeholder.objects.exists()
    pending = PendingUpload.objects.get(kind=PendingUpload.Kind.STAKEHOLDERS)
    done = client.post(response["Location"], {"mode": "all"})
    assert done.status_code == 302, done.content[:3000]
    assert Stakeholder.objects.count() == 5
    pending.refresh_from_db()
    assert pending.status != PendingUpload.Status.PENDING


def test_the_export_neutralises_formula_text(client: Any, world: Any) -> None:
    StakeholderImporter().commit(good(world), "s.csv", actor=world.users["lead"])
    client.force_login(world.users["lead"])
    body = b"".join(client.get(reverse("stakeholder-list") + "?export=csv").streaming_content).decode()
    assert "Police Federation" in body
    assert "'=HYPERLINK" in body  # a spreadsheet shows it as text, never runs it
