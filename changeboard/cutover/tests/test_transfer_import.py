"""The spreadsheet (CSV and XLSX) task import: every bad input gets its own
message on its row, the file is scheduled as a whole, and a commit upserts
by ID in one audited transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from changeboard.core.models import AuditEntry
from changeboard.core.tabular import ImportFileError

from .. import importing
from ..importing import HEADERS, TaskImporter, TaskImportRefused, parse_duration, parse_when
from ..models import RUNBOOK_TZ, Dependency, Runbook, Task
from ..services import runbooks as plan
from .fixtures import START, as_file, full_runbook, new_runbook, sample

FORMATS = ["csv", "xlsx"]
GOOD = [
    ["T-010", "Freeze changes", "Technology", "", "normal", "30", "", "", "", "", "", "no"],
    ["T-020", "Go/no-go call", "Business", "", "decision", "15", "T-010", "", "", "", "", "no"],
]
COLUMNS = list(HEADERS[:12])


def preview(runbook: Runbook, fmt: str, rows: list[list[str]], headers: list[str] | None = None) -> Any:
    data, name = as_file(fmt, headers or COLUMNS, rows)
    return TaskImporter(runbook).preview(data, name)


def problems(report: Any) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in report.problems]


def assert_problem(report: Any, row: int, column: str, words: str) -> None:
    found = [p for p in report.problems if p.row == row and p.column == column]
    assert found, problems(report)
    assert any(words in p.reason for p in found), problems(report)
    assert report.refused


@pytest.fixture
def runbook(world: Any) -> Runbook:
    return new_runbook(world)


# Cells -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "minutes"), [("90", 90), ("90m", 90), ("2h", 120), ("1h30", 90), ("1h 30m", 90), ("1h30m", 90),
                                               ("0", 0), ("45 mins", 45)])
def test_durations_are_minutes_or_hours_and_minutes(text: str, minutes: int) -> None:
    assert parse_duration(text) == (minutes, "")


@pytest.mark.parametrize("text", ["1.5h", "abc", "h", "-10", "90 seconds", "", "２h", "99999999"])
def test_other_durations_are_refused(text: str) -> None:
    assert parse_duration(text)[0] is None


def test_times_are_europe_london_and_the_doubled_hour_needs_its_zone() -> None:
    summer, _ = parse_when("2027-07-01 09:00")
    assert summer is not None and summer.astimezone(dt.UTC).hour == 8
    assert parse_when("01/07/2027 09:00")[0] == summer
    assert parse_when("2027-07-01 09:00 BST")[0] == summer
    assert "not GMT" in parse_when("2027-07-01 09:00 GMT")[1]
    assert parse_when("2027-07-01 08:00 UTC")[0] == summer
    # The clocks go back at 02:00 BST on 31 October 2027: 01:30 happens twice.
    assert "happens twice" in parse_when("2027-10-31 01:30")[1]
    first, second = parse_when("2027-10-31 01:30 BST")[0], parse_when("2027-10-31 01:30 GMT")[0]
    assert first is not None and second is not None and second.astimezone(dt.UTC) - first.astimezone(dt.UTC) == dt.timedelta(hours=1)
    # ... and forward at 01:00 GMT on 28 March 2027: 01:30 never happens.
    assert "clocks go forward" in parse_when("2027-03-28 01:30")[1]
    assert "no such day" in parse_when("2027-02-30 10:00")[1]
    assert "Not a date and time" in parse_when("tomorrow at ten")[1]


# Every bad input, CSV and XLSX ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_good_file_previews_what_it_would_do(runbook: Runbook, fmt: str) -> None:
    report = preview(runbook, fmt, GOOD)
    assert report.problems == [] and not report.refused
    assert (report.valid, report.created, report.updated, report.removed, report.links) == (2, 2, 0, [], 1)
    assert report.finish == START + dt.timedelta(minutes=45)


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_and_duplicate_ids(runbook: Runbook, fmt: str) -> None:
    report = preview(runbook, fmt, [*GOOD, ["", "No ID", "Business", "", "normal", "10", "", "", "", "", "", "no"],
                                    ["T-010", "Again", "Business", "", "normal", "10", "", "", "", "", "", "no"],
                                    ["T 30", "Spaced", "Business", "", "normal", "10", "", "", "", "", "", "no"]])
    assert_problem(report, 4, "id", "Missing ID")
    assert_problem(report, 5, "id", "Duplicate ID: T-010 is also on row 2")
    assert_problem(report, 6, "id", "Not an ID")


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_type_and_bad_duration(runbook: Runbook, fmt: str) -> None:
    report = preview(runbook, fmt, [["T-010", "A", "Business", "", "meeting", "30", "", "", "", "", "", "no"],
                                    ["T-020", "B", "Business", "", "normal", "1.5 hours", "", "", "", "", "", "no"],
                                    ["T-030", "C", "Business", "", "normal", "", "", "", "", "", "", "no"],
                                    ["T-040", "D", "Business", "", "milestone", "30", "", "", "", "", "", "no"]])
    assert_problem(report, 2, "type", "Unknown type")
    assert_problem(report, 3, "duration", "Not a duration")
    assert_problem(report, 4, "duration", "Missing duration")
    assert_problem(report, 5, "duration", "A milestone takes no time")


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_and_unreadable_predecessors(runbook: Runbook, fmt: str) -> None:
    report = preview(runbook, fmt, [["T-010", "A", "Business", "", "normal", "30", "T-999", "", "", "", "", "no"],
                                    ["T-020", "B", "Business", "", "normal", "30", "T-010XX+5", "", "", "", "", "no"],
                                    ["T-030", "C", "Business", "", "normal", "30", "T-030", "", "", "", "", "no"],
                                    ["T-040", "D", "Business", "", "normal", "30", "T-010, T-010SS", "", "", "", "", "no"]])
    assert_problem(report, 2, "predecessors", "Unknown predecessor: T-999")
    assert_problem(report, 3, "predecessors", "Unknown predecessor: T-010XX+5")
    assert_problem(report, 4, "predecessors", "cannot wait on itself")
    assert_problem(report, 5, "predecessors", "listed twice")


@pytest.mark.parametrize("fmt", FORMATS)
def test_owners_are_users_by_username_or_email_or_teams(world: Any, runbook: Runbook, fmt: str) -> None:
    lead = world.users["lead"]
    lead.email = "Lead@Example.org"
    lead.save()
    plan.team_save(name="Service Desk", actor=None)
    world.users["board"].is_active = False
    world.users["board"].save()
    report = preview(runbook, fmt, [["T-010", "A", "Business", "", "normal", "30", "", "LEAD", "", "", "", "no"],
                                    ["T-020", "B", "Business", "", "normal", "30", "", "lead@example.org", "", "", "", "no"],
                                    ["T-030", "C", "Business", "", "normal", "30", "", "service desk", "", "", "", "no"],
                                    ["T-040", "D", "Business", "", "normal", "30", "", "nobody", "", "", "", "no"],
                                    ["T-050", "E", "Business", "", "normal", "30", "", "board", "", "", "", "no"]])
    assert_problem(report, 5, "owner", "Unknown owner")
    assert_problem(report, 6, "owner", "Unknown owner")  # not active
    assert [row.owner_label for row in report.tasks] == ["lead", "lead", "Service Desk"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_times_and_impossible_fixed_times(runbook: Runbook, fmt: str) -> None:
    report = preview(runbook, fmt, [["T-010", "A", "Business", "", "normal", "30", "", "", "2027-02-30 10:00", "", "", "no"],
                                    ["T-020", "B", "Business", "", "normal", "30", "", "", "", "next Tuesday", "", "no"],
                                    ["T-030", "C", "Business", "", "normal", "60", "", "", "2027-03-06 21:00", "2027-03-06 21:30", "", "no"],
                                    ["T-040", "D", "Business", "", "normal", "30", "", "", "2027-10-31 01:30", "", "", "no"],
                                    ["T-050", "E", "Business", "", "normal", "30", "", "", "", "", "", "maybe"],
                                    ["T-060", "F", "Business", "", "normal", "30", "", "", "", "", "", "yes"]])
    assert_problem(report, 2, "not_before", "no such day")
    assert_problem(report, 3, "due_by", "Not a date and time")
    assert_problem(report, 4, "due_by", "Fixed time impossible")
    assert_problem(report, 5, "not_before", "happens twice")
    assert_problem(report, 6, "rollback_point", "Not yes or no")
    assert_problem(report, 7, "rollback_point", "Only a milestone")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_loop_across_rows_is_named_on_each_of_its_rows(runbook: Runbook, fmt: str) -> None:
    report = preview(runbook, fmt, [["T-010", "A", "Business", "", "normal", "30", "T-030", "", "", "", "", "no"],
                                    ["T-020", "B", "Business", "", "normal", "30", "T-010", "", "", "", "", "no"],
                                    ["T-030", "C", "Business", "", "normal", "30", "T-020", "", "", "", "", "no"],
                                    ["T-040", "D", "Business", "", "normal", "30", "", "", "", "", "", "no"]])
    for row in (2, 3, 4):
        assert_problem(report, row, "predecessors", "wait on each other in a loop: T-020 → T-030 → T-010 → T-020")
    assert (report.valid, report.invalid) == (1, 3)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_due_time_the_predecessors_make_impossible_is_named(runbook: Runbook, fmt: str) -> None:
    report = preview(runbook, fmt, [["T-010", "A", "Business", "", "normal", "2h", "", "", "", "", "", "no"],
                                    ["T-020", "B", "Business", "", "normal", "30", "T-010", "", "", "2027-03-06 21:00", "", "no"]])
    assert_problem(report, 3, "due_by", "cannot finish by their due time")


@pytest.mark.parametrize("fmt", FORMATS)
def test_too_many_rows(runbook: Runbook, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "MAX_TASKS", 3)
    rows = [[f"T-{i}", "A", "Business", "", "normal", "5", "", "", "", "", "", "no"] for i in range(4)]
    report = preview(runbook, fmt, rows)
    assert_problem(report, 5, "id", "Too many rows: a runbook import takes at most 3 tasks; this file has 4")
    assert report.valid == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_required_columns(runbook: Runbook, fmt: str) -> None:
    report = preview(runbook, fmt, [["T-010", "A"]], headers=["ID", "Title"])
    assert report.missing_columns == ["duration"] and report.refused


def test_empty_and_wrong_files_are_refused(runbook: Runbook) -> None:
    with pytest.raises(ImportFileError, match="empty"):
        TaskImporter(runbook).preview(b"   ", "tasks.csv")
    with pytest.raises(ImportFileError, match="not a valid Excel"):
        TaskImporter(runbook).preview(b"PK\x03\x04not really a zip", "tasks.xlsx")
    with pytest.raises(ImportFileError, match="not a CSV or XLSX"):
        TaskImporter(runbook).preview(b"ID,Title\x00", "tasks.csv")


# Committing -------------------------------------------------------------------------------------------------------


def test_the_sample_file_imports(world: Any, runbook: Runbook) -> None:
    report = TaskImporter(runbook).commit(sample("tasks.csv"), "tasks.csv", actor=world.users["lead"])
    assert report.committed and (report.created, report.links) == (5, 5)
    tasks = {t.ref: t for t in runbook.tasks.all()}
    assert tasks["T-010"].owner_user == world.users["lead"]
    assert tasks["T-010"].not_before == dt.datetime(2027, 3, 6, 20, 30, tzinfo=RUNBOOK_TZ)
    assert tasks["T-030"].duration_minutes == 180 and tasks["T-040"].duration_minutes == 90
    assert tasks["T-050"].rollback_point and tasks["T-050"].kind == Task.Kind.MILESTONE
    link = Dependency.objects.get(successor=tasks["T-050"], predecessor=tasks["T-040"])
    assert (link.link_type, link.lag_minutes) == ("SF", 30)
    entry = AuditEntry.objects.get(action="import", object_id=str(runbook.pk))
    assert entry.after is not None and entry.after["created"] == 5 and entry.after["file"] == "tasks.csv"


def test_a_file_with_errors_is_refused_whole_even_when_asked_for_valid_rows(world: Any, runbook: Runbook) -> None:
    data, name = as_file("csv", COLUMNS, [*GOOD, ["T-030", "C", "Business", "", "meeting", "30", "", "", "", "", "", "no"]])
    with pytest.raises(TaskImportRefused):
        TaskImporter(runbook).commit(data, name, actor=world.users["lead"], skip_invalid=True)
    assert not runbook.tasks.exists() and not AuditEntry.objects.filter(action="import").exists()


def test_upsert_by_id_updates_adds_removes_and_keeps_what_the_file_leaves_out(world: Any) -> None:
    runbook = full_runbook(world)
    before = {t.ref: t for t in runbook.tasks.all()}
    headers = ["ID", "Title", "Duration", "Predecessors"]
    rows = [["T-010", "Freeze all changes", "45", ""], ["T-030", "Migrate the case files", "3h", "T-010"], ["T-070", "Smoke test", "20", "T-030"]]
    data, name = as_file("csv", headers, rows)
    report = TaskImporter(runbook).preview(data, name)
    assert (report.created, report.updated, sorted(report.removed)) == (1, 2, ["T-020", "T-040", "T-050", "T-060"])
    assert "will be removed: T-020, T-040, T-050, T-060" in report.commit_warning()
    TaskImporter(runbook).commit(data, name, actor=world.users["lead"])
    after = {t.ref: t for t in runbook.tasks.all()}
    assert sorted(after) == ["T-010", "T-030", "T-070"]
    assert after["T-010"].pk == before["T-010"].pk and after["T-010"].title == "Freeze all changes"
    assert after["T-010"].duration_minutes == 45 and after["T-010"].owner_user == world.users["lead"]  # no owner column: kept
    assert after["T-010"].not_before == before["T-010"].not_before and after["T-030"].owner_team_id == before["T-030"].owner_team_id
    assert [t.ref for t in runbook.tasks.order_by("position")] == ["T-010", "T-030", "T-070"]
    assert sorted(Dependency.objects.filter(successor__runbook=runbook).values_list("predecessor__ref", "successor__ref")) == [
        ("T-010", "T-030"), ("T-030", "T-070")]


def test_a_communication_task_without_a_subject_takes_its_title(world: Any, runbook: Runbook) -> None:
    data, name = as_file("csv", COLUMNS, [["T-010", "Tell the stations", "Comms", "", "communication", "10", "", "", "", "", "", "no"]])
    TaskImporter(runbook).commit(data, name, actor=world.users["lead"])
    assert runbook.tasks.get().message_subject == "Tell the stations"


@pytest.mark.parametrize("mode", [Runbook.Mode.LIVE, Runbook.Mode.COMPLETE, Runbook.Mode.ABANDONED])
def test_only_a_runbook_in_planning_or_rehearsal_takes_an_import(world: Any, runbook: Runbook, mode: str) -> None:
    data, name = as_file("csv", COLUMNS, GOOD)
    Runbook.objects.filter(pk=runbook.pk).update(mode=mode)
    with pytest.raises(ValidationError, match="only while a runbook is in planning or rehearsal"):
        TaskImporter(Runbook.objects.get(pk=runbook.pk)).commit(data, name, actor=world.users["lead"])
    assert not runbook.tasks.exists()


def test_a_rehearsal_runbook_takes_an_import(world: Any, runbook: Runbook) -> None:
    Runbook.objects.filter(pk=runbook.pk).update(mode=Runbook.Mode.REHEARSAL)
    data, name = as_file("csv", COLUMNS, GOOD)
    assert TaskImporter(Runbook.objects.get(pk=runbook.pk)).commit(data, name, actor=world.users["lead"]).created == 2


def test_the_service_refuses_a_network_that_does_not_schedule_and_writes_nothing(world: Any, runbook: Runbook) -> None:
    from ..services.transfer import ImportedTask, runbook_import_tasks

    tasks = [ImportedTask("A", {"title": "A", "duration_minutes": 10}, [("B", "FS", 0)]),
             ImportedTask("B", {"title": "B", "duration_minutes": 10}, [("A", "SS", 5)])]
    with pytest.raises(ValidationError, match="loop"):
        runbook_import_tasks(runbook=runbook, tasks=tasks, actor=None)
    with pytest.raises(ValidationError, match="Task C: .*milestone takes no time"):
        runbook_import_tasks(runbook=runbook, tasks=[ImportedTask("C", {"title": "C", "kind": Task.Kind.MILESTONE, "duration_minutes": 5}, [])],
                             actor=None)
    assert not runbook.tasks.exists() and not Dependency.objects.exists()
    assert not AuditEntry.objects.filter(action="import").exists()
