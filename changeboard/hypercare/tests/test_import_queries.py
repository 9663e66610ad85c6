"""The service-desk import: every bad input gets its row message, rows
already imported update in place, and each query gets the history the SLA
figures are computed from. Through the pages: upload -> preview -> commit."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from changeboard.conftest import make_staff
from changeboard.core.importing import csv_text
from changeboard.core.models import AuditEntry, OutboxMessage

from ..importing import COLUMNS, QueryImporter, parse_when
from ..models import Period, Query, QueryEvent
from ..services.periods import period_create

Kind = QueryEvent.Kind


@pytest.fixture
def period(world: Any) -> Period:
    return period_create(rollout_wave=world.wave_a, actor=None, starts_on=dt.date(2026, 1, 5))


def row(**values: str) -> list[str]:
    base = {"ticket_id": "INC001", "raised_at": "06/01/2026 09:30", "staff_number": "100001", "email": "", "category": "Training gap",
            "priority": "P3", "title": "Cannot find rotas", "description": "Menu missing", "status": "New", "resolved_at": "",
            "closed_at": "", "responded_at": ""}
    base.update(values)
    return [base[c] for c in COLUMNS]


def data(*rows: list[str], headers: tuple[str, ...] = COLUMNS) -> bytes:
    return csv_text(list(headers), list(rows)).encode()


def preview(period: Period, *rows: list[str]) -> Any:
    return QueryImporter(period).preview(data(*rows), "tickets.csv")


def commit(period: Period, *rows: list[str], skip_invalid: bool = False) -> Any:
    return QueryImporter(period).commit(data(*rows), "tickets.csv", actor=None, skip_invalid=skip_invalid)


def problems(report: Any) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason.split(":")[0]) for p in report.problems]


@pytest.mark.parametrize(("values", "column", "reason"), [
    ({"ticket_id": ""}, "ticket_id", "Missing"),
    ({"ticket_id": "X" * 61}, "ticket_id", "Too long"),
    ({"raised_at": ""}, "raised_at", "Missing"),
    ({"raised_at": "yesterday"}, "raised_at", "Not a date and time"),
    ({"raised_at": "31/02/2026 09:00"}, "raised_at", "Not a real date and time"),
    ({"raised_at": "01/01/2099 09:00"}, "raised_at", "In the future"),
    ({"staff_number": "999999"}, "staff_number", "Unknown staff number"),
    ({"staff_number": "", "email": "nobody@example.police.uk"}, "email", "Unknown email"),
    ({"staff_number": "", "email": ""}, "staff_number", "Missing"),
    ({"category": ""}, "category", "Missing"),
    ({"category": "Hardware"}, "category", "Unknown category"),
    ({"priority": ""}, "priority", "Missing"),
    ({"priority": "urgent"}, "priority", "Not a priority"),
    ({"priority": "P5"}, "priority", "Not a priority"),
    ({"title": ""}, "title", "Missing"),
    ({"title": "T" * 201}, "title", "Too long"),
    ({"status": ""}, "status", "Missing"),
    ({"status": "escalated"}, "status", "Not a status"),
    ({"status": "Resolved"}, "resolved_at", "Missing"),
    ({"status": "Closed", "resolved_at": "06/01/2026 10:00"}, "closed_at", "Missing"),
    ({"status": "Resolved", "resolved_at": "06/01/2026 10:00", "closed_at": "06/01/2026 11:00"}, "closed_at", "A resolved ticket is not closed yet"),
    ({"status": "In progress", "resolved_at": "06/01/2026 10:00"}, "resolved_at", "An open ticket (status In progress) has no resolved time"),
    ({"status": "Resolved", "resolved_at": "06/01/2026 08:00"}, "resolved_at", "Before the ticket was raised (raised_at)"),
    ({"status": "Closed", "resolved_at": "06/01/2026 12:00", "closed_at": "06/01/2026 11:00"}, "closed_at", "Before the ticket was resolved (resolved_at)"),
    ({"status": "Resolved", "resolved_at": "06/01/2026 12:00", "responded_at": "06/01/2026 13:00"}, "responded_at", "After the ticket was resolved (resolved_at)"),
    ({"responded_at": "soon"}, "responded_at", "Not a date and time"),
])
def test_each_bad_input_has_its_row_message(world: Any, period: Period, values: dict[str, str], column: str, reason: str) -> None:
    report = preview(period, row(ticket_id="OK1"), row(**values))
    assert (3, column, reason.split(":")[0]) in problems(report), problems(report)
    assert report.valid == 1 and report.invalid == 1
    with pytest.raises(Exception, match="cannot be imported"):
        commit(period, row(ticket_id="OK1"), row(**values))
    assert not Query.objects.exists()


def test_an_inactive_category_and_a_duplicate_ticket_are_refused(world: Any, period: Period) -> None:
    period.categories.filter(code="data").update(active=False)
    report = preview(period, row(), row(category="data"), row())
    assert (3, "category", "No longer in use in this period") in problems(report)
    assert (4, "ticket_id", "Duplicate") in problems(report)


def test_a_file_without_the_columns_is_refused(world: Any, period: Period) -> None:
    report = QueryImporter(period).preview(data(["INC1", "x"], headers=("ticket_id", "title")), "t.csv")
    missing = {p.column for p in report.problems}
    assert {"raised_at", "category", "priority", "status", "staff_number"} <= missing and report.unimportable


def test_times_are_uk_unless_they_carry_an_offset(db: Any) -> None:
    summer, _ = parse_when("01/07/2026 09:30")
    assert summer is not None and summer.astimezone(dt.UTC).hour == 8  # BST
    winter, _ = parse_when("2026-01-06 09:30:00")
    assert winter is not None and winter.astimezone(dt.UTC).hour == 9  # GMT
    zulu, _ = parse_when("2026-07-01T09:30:00Z")
    assert zulu is not None and zulu.astimezone(dt.UTC).hour == 9
    offset, _ = parse_when("2026-07-01T09:30+02:00")
    assert offset is not None and offset.astimezone(dt.UTC).hour == 7


def test_a_commit_creates_queries_with_their_history_and_sends_no_email(world: Any, period: Period) -> None:
    make_staff("100002", world.westminster, email="robin@example.police.uk", role="Custody officer", first_name="Robin", last_name="Desk")
    before = timezone.now()
    report = commit(period,
                    row(ticket_id="INC1"),
                    row(ticket_id="INC2", staff_number="", email="ROBIN@example.police.uk", category="defect", priority="2",
                        status="Closed", resolved_at="06/01/2026 15:00", closed_at="07/01/2026 10:00", responded_at="06/01/2026 10:00"),
                    row(ticket_id="INC3", status="In progress"),
                    row(ticket_id="INC4", status="On hold", responded_at="06/01/2026 11:00"))
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    inc1, inc2, inc3, inc4 = (Query.objects.get(period=period, external_ref=f"INC{n}") for n in range(1, 5))
    assert (inc1.unit, inc1.role, inc1.source, inc1.status) == (world.team, "Response officer", Query.Source.IMPORT, "new")
    assert inc1.created_at == dt.datetime(2026, 1, 6, 9, 30, tzinfo=dt.UTC)
    assert (inc2.unit, inc2.role, inc2.priority, inc2.category.code, inc2.status) == (world.westminster, "Custody officer", "P2", "defect", "closed")

    def steps(query: Query) -> list[tuple[str, str, str, dt.datetime]]:
        return [(e.kind, e.from_value, e.to_value, e.at) for e in query.events.order_by("at", "pk")]

    assert steps(inc1) == [(Kind.CREATED, "", "new", inc1.created_at)]
    utc = lambda d, h: dt.datetime(2026, 1, d, h, 0, tzinfo=dt.UTC)  # noqa: E731  (January: UK time is UTC)
    assert steps(inc2) == [(Kind.CREATED, "", "new", utc(6, 9) + dt.timedelta(minutes=30)), (Kind.STATUS, "new", "in_progress", utc(6, 10)),
                           (Kind.STATUS, "in_progress", "resolved", utc(6, 15)), (Kind.STATUS, "resolved", "closed", utc(7, 10))]
    assert (inc2.first_response_at, inc2.resolved_at, inc2.closed_at) == (utc(6, 10), utc(6, 15), utc(7, 10))
    # A status reached with no time of its own is dated when the import learns of it.
    status_event = inc3.events.get(kind=Kind.STATUS)
    assert status_event.to_value == "in_progress" and status_event.at >= before and inc3.first_response_at == status_event.at
    assert inc4.status == "waiting" and inc4.events.get(kind=Kind.STATUS).at == utc(6, 11)
    assert not OutboxMessage.objects.exists()
    audit = AuditEntry.objects.get(action="import", object_type="hypercare.period")
    assert audit.object_id == str(period.pk) and (audit.after or {})["created"] == 4


def test_a_second_import_updates_in_place_and_records_the_changes(world: Any, period: Period) -> None:
    commit(period, row(ticket_id="INC1"), row(ticket_id="INC2", status="In progress", responded_at="06/01/2026 10:00"))
    first = {q.external_ref: q for q in Query.objects.all()}
    report = commit(period,
                    row(ticket_id="INC1"),
                    row(ticket_id="INC2", status="Resolved", resolved_at="07/01/2026 09:00", responded_at="06/01/2026 10:00",
                        priority="P1", category="Access", title="Cannot find rotas (all teams)"),
                    row(ticket_id="INC3"))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert Query.objects.count() == 3
    inc2 = Query.objects.get(external_ref="INC2")
    assert inc2.pk == first["INC2"].pk and inc2.reference == first["INC2"].reference
    assert (inc2.status, inc2.priority, inc2.category.code, inc2.title) == ("resolved", "P1", "access", "Cannot find rotas (all teams)")
    assert inc2.resolved_at == dt.datetime(2026, 1, 7, 9, 0, tzinfo=dt.UTC)
    kinds = list(inc2.events.order_by("at", "pk").values_list("kind", "from_value", "to_value"))
    assert (Kind.STATUS, "in_progress", "resolved") in kinds and (Kind.PRIORITY, "P3", "P1") in kinds
    assert [k for k in kinds if k[0] == Kind.CATEGORY]
    assert inc2.events.filter(kind=Kind.CREATED).count() == 1
    # The unchanged one gained no events.
    assert Query.objects.get(external_ref="INC1").events.count() == 1


def test_valid_rows_only_when_chosen(world: Any, period: Period) -> None:
    report = commit(period, row(ticket_id="INC1"), row(ticket_id="INC2", staff_number="999999"), skip_invalid=True)
    assert report.created == 1 and report.invalid == 1
    assert list(Query.objects.values_list("external_ref", flat=True)) == ["INC1"]


def test_the_same_ticket_in_another_period_is_another_query(world: Any, period: Period) -> None:
    other = period_create(rollout_wave=world.wave_b, actor=None, starts_on=dt.date(2026, 1, 5))
    commit(period, row(ticket_id="INC1"))
    QueryImporter(other).commit(data(row(ticket_id="INC1", staff_number="200001")), "t.csv", actor=None)
    assert Query.objects.filter(external_ref="INC1").count() == 2


# ---------------------------------------------------------------- the pages


def _upload(client: Client, period: Period, content: bytes, name: str = "tickets.csv") -> Any:
    return client.post(reverse("query-import", args=[period.pk]), {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_upload_preview_and_commit_through_the_pages(world: Any, period: Period) -> None:
    client = Client()
    client.force_login(world.users["lead"])
    page = client.get(reverse("query-import", args=[period.pk]))
    assert page.status_code == 200 and "Import tickets from the service desk" in page.content.decode()
    template = client.get(reverse("query-import", args=[period.pk]) + "?template=1")
    assert template.status_code == 200 and b"ticket_id" in b"".join(template)
    staged = _upload(client, period, data(row(ticket_id="INC1"), row(ticket_id="INC2", priority="urgent")))
    assert staged.status_code == 302 and re.search(r"/import/[0-9a-f-]{36}/$", staged["Location"])
    shown = client.get(staged["Location"])
    text = shown.content.decode()
    assert shown.status_code == 200 and "Not a priority" in text and "INC1" in text and "Europe/London" in text
    errors = client.get(staged["Location"] + "?errors=csv")
    assert errors.status_code == 200
    refused = client.post(staged["Location"], {"mode": "all"})
    assert refused.status_code == 200 and not Query.objects.exists()
    done = client.post(staged["Location"], {"mode": "valid"})
    assert done.status_code == 302 and done["Location"] == reverse("period-detail", args=[period.pk])
    assert list(Query.objects.values_list("external_ref", flat=True)) == ["INC1"]
    # Only its uploader can see a pending upload.
    other = Client()
    other.force_login(world.users["admin"])
    assert other.get(staged["Location"]).status_code == 404


def test_an_xlsx_export_with_excel_times_imports(world: Any, period: Period) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ticket number", "Created", "Staff number", "Category", "Priority", "Summary", "State", "Resolved"])
    sheet.append(["INC9", dt.datetime(2026, 1, 6, 9, 30), 100001, "training_gap", "P4", "Excel ticket", "Resolved", dt.datetime(2026, 1, 6, 12, 0)])
    buffer = io.BytesIO()
    book.save(buffer)
    report = QueryImporter(period).commit(buffer.getvalue(), "tickets.xlsx", actor=None)
    assert report.created == 1, report.problems
    query = Query.objects.get(external_ref="INC9")
    assert (query.priority, query.status, query.resolved_at) == ("P4", "resolved", dt.datetime(2026, 1, 6, 12, 0, tzinfo=dt.UTC))
