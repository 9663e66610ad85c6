"""MS Project XML: reading what MS Project writes (link types and lags,
milestones, summary tasks, constraints, resources), refusing what is not a
project file or is hostile, and writing a runbook MS Project can open."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405  (parsing our own output in a test)
from typing import Any

import pytest

from changeboard.core.tabular import ImportFileError

from .. import mspdi
from ..exporting import runbook_mspdi
from ..importing import MspdiImporter, mspdi_sheet
from ..models import RUNBOOK_TZ, Dependency, Runbook, Task
from .fixtures import full_runbook, new_runbook, sample

NS = {"p": mspdi.NS}


def project(tasks: str, extra: str = "") -> bytes:
    return (f'<?xml version="1.0"?><Project xmlns="{mspdi.NS}"><Title>T</Title>{extra}<Tasks>{tasks}</Tasks></Project>').encode()


def task(uid: int, name: str, duration: str = "PT1H0M0S", links: str = "", more: str = "") -> str:
    return f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>1</OutlineLevel><Duration>{duration}</Duration>{more}{links}</Task>"


def link(uid: int, kind: int, lag: int = 0, lag_format: int = 7) -> str:
    return (f"<PredecessorLink><PredecessorUID>{uid}</PredecessorUID><Type>{kind}</Type><LinkLag>{lag}</LinkLag>"
            f"<LagFormat>{lag_format}</LagFormat></PredecessorLink>")


@pytest.fixture
def runbook(world: Any) -> Runbook:
    return new_runbook(world)


def test_durations_as_ms_project_writes_them() -> None:
    assert mspdi.parse_duration("PT8H30M0S") == 510
    assert mspdi.parse_duration("PT0H0M0S") == 0
    assert mspdi.parse_duration("P1DT2H0M0S", 480) == 600
    assert mspdi.parse_duration("PT0H0M90S") == 2
    assert mspdi.parse_duration("PT1.5H") == 90
    assert mspdi.parse_duration("eight hours") is None and mspdi.parse_duration("PT") is None
    assert mspdi.format_duration(570) == "PT9H30M0S"


@pytest.mark.parametrize(("code", "kind"), [(0, "FF"), (1, "FS"), (2, "SF"), (3, "SS")])
def test_each_link_type_and_the_lag_in_tenths_of_a_minute(code: int, kind: str) -> None:
    data = project(task(1, "A") + task(2, "B", links=link(1, code, lag=-150, lag_format=5)))
    sheet = mspdi_sheet(data)
    row = dict(zip(sheet.headers, sheet.rows[1][1], strict=True))
    assert row["Predecessors"] == f"1{kind}-15"


def test_a_percentage_lag_is_a_share_of_the_predecessors_duration() -> None:
    data = project(task(1, "A", "PT2H0M0S") + task(2, "B", links=link(1, 1, lag=25, lag_format=19)))
    row = dict(zip(*[mspdi_sheet(data).headers, mspdi_sheet(data).rows[1][1]], strict=True))
    assert row["Predecessors"] == "1FS+30"


def test_an_unknown_link_type_is_reported(runbook: Runbook) -> None:
    data = project(task(1, "A") + task(2, "B", links=link(1, 9)))
    report = MspdiImporter(runbook).preview(data, "p.xml")
    assert any(p.row == 2 and "unknown type" in p.reason for p in report.problems) and report.refused


def test_the_sample_project_reads_summaries_milestones_constraints_and_owners(world: Any, runbook: Runbook) -> None:
    report = MspdiImporter(runbook).preview(sample("project.xml"), "project.xml")
    assert report.problems == [], report.problems
    assert report.file_description == "Microsoft Project XML (MSPDI)"
    rows = {row.ref: row for row in report.tasks}
    # Summary tasks (1 Preparation, 4 Migration) are not tasks; the tasks under them keep their level and take their name.
    assert list(rows) == ["2", "3", "5", "6", "7", "8"]
    assert rows["2"].values["outline_level"] == 2 and rows["2"].values["sub_stream"] == "Preparation"
    assert rows["8"].values["outline_level"] == 1 and rows["8"].values["sub_stream"] == ""
    assert rows["2"].values["not_before"] == dt.datetime(2027, 3, 6, 20, 30, tzinfo=RUNBOOK_TZ)
    assert rows["2"].values["description"] == "On the bridge call"
    assert rows["5"].values["duration_minutes"] == 180
    assert rows["7"].values["due_by"] == dt.datetime(2027, 3, 7, 6, 0, tzinfo=RUNBOOK_TZ)  # finish no later than
    assert rows["8"].values["due_by"] == dt.datetime(2027, 3, 7, 8, 0, tzinfo=RUNBOOK_TZ)  # the deadline
    assert rows["8"].values["kind"] == Task.Kind.MILESTONE and rows["8"].values["duration_minutes"] == 0
    # The finish-to-start link from the Preparation summary into the Migration summary joins every task under each.
    assert rows["5"].predecessors == [("2", "FS", 0), ("3", "FS", 0)]
    assert rows["6"].predecessors == [("2", "FS", 0), ("3", "FS", 0), ("5", "SS", 15)]
    assert rows["7"].predecessors == [("2", "FS", 0), ("3", "FS", 0), ("5", "FF", -30)]
    assert rows["8"].predecessors == [("3", "SF", 30), ("5", "FS", 0), ("6", "FS", 0), ("7", "FS", 0)]
    # A resource that is a user owns the task; one that is not is said so, and the task has no owner.
    assert rows["2"].owner_label == "lead" and rows["5"].owner_label == ""
    assert report.notes == ["Row 5: the resource 'Jo Bloggs' is no user or team here, so the task has no owner."]
    done = MspdiImporter(runbook).commit(sample("project.xml"), "project.xml", actor=world.users["lead"])
    assert (done.created, done.links) == (6, 13)
    assert Task.objects.get(runbook=runbook, ref="2").owner_user == world.users["lead"]


def test_links_on_summary_tasks_that_cannot_be_kept_are_reported(runbook: Runbook) -> None:
    summary = "<Task><UID>1</UID><ID>1</ID><Name>Phase</Name><OutlineLevel>1</OutlineLevel><Summary>1</Summary></Task>"
    child = "<Task><UID>2</UID><ID>2</ID><Name>Child</Name><OutlineLevel>2</OutlineLevel><Duration>PT1H0M0S</Duration></Task>"
    data = project(summary + child + task(3, "After", links=link(1, 3)) + task(4, "Other", links=link(99, 1)))
    report = MspdiImporter(runbook).preview(data, "p.xml")
    reasons = {(p.row, p.reason.split(":")[0]) for p in report.problems}
    assert (3, "A SS link from the summary task 'Phase' cannot be imported") in reasons
    assert (4, "Unknown predecessor") in reasons


def test_other_constraints_are_reported_not_dropped(runbook: Runbook) -> None:
    data = project(task(1, "A", more="<ConstraintType>2</ConstraintType><ConstraintDate>2027-03-06T21:00:00</ConstraintDate>"))
    report = MspdiImporter(runbook).preview(data, "p.xml")
    assert [p.reason for p in report.problems] == ['Cannot be imported: the constraint "must start on" (only "start no earlier than" '
                                                   'and "finish no later than" are kept)']


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"<Project><Tasks><Task>", "not well-formed XML"),
    (b"ID,Title\nT-1,A\n", "not well-formed XML"),
    (b'<?xml version="1.0"?><Workbook><Tasks/></Workbook>', "root element is not Project"),
    (b'<?xml version="1.0"?><Project xmlns="urn:other"><Tasks/></Project>', "root element is not Project"),
    (project(""), "no tasks"),
])
def test_files_that_are_not_ms_project_xml_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        mspdi_sheet(data)


@pytest.mark.parametrize("name", ["bomb.xml", "external.xml"])
def test_entities_and_dtds_are_refused_before_anything_is_expanded(name: str) -> None:
    with pytest.raises(ImportFileError, match="DTD or entities"):
        mspdi_sheet(sample(name))


def test_a_file_past_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mspdi, "MAX_BYTES", 100)
    with pytest.raises(ImportFileError, match="larger than"):
        mspdi_sheet(project(task(1, "A") + task(2, "B")))


def test_too_many_tasks_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mspdi, "MAX_TASKS", 2)
    with pytest.raises(ImportFileError, match="at most 2"):
        mspdi_sheet(project("".join(task(i, f"T{i}") for i in range(1, 5))))


def test_the_export_is_ms_project_xml(world: Any) -> None:
    runbook = full_runbook(world)
    root = ET.fromstring(runbook_mspdi(runbook))  # noqa: S314  (our own output)
    assert root.tag == f"{{{mspdi.NS}}}Project"
    assert root.findtext("p:StartDate", namespaces=NS) == "2027-03-06T20:00:00"
    assert "Europe/London" in (root.findtext("p:Subject", namespaces=NS) or "")
    tasks = root.findall("p:Tasks/p:Task", NS)
    assert [t.findtext("p:UID", namespaces=NS) for t in tasks] == ["0", "1", "2", "3", "4", "5", "6"]
    first = tasks[1]
    assert first.findtext("p:Duration", namespaces=NS) == "PT0H30M0S"
    assert (first.findtext("p:ConstraintType", namespaces=NS), first.findtext("p:ConstraintDate", namespaces=NS)) == ("4", "2027-03-06T20:30:00")
    check = tasks[4]  # T-040: due by, finish-to-finish with a lead of 10 minutes from T-030 (UID 3)
    assert check.findtext("p:Deadline", namespaces=NS) == "2027-03-07T06:00:00"
    assert check.findtext("p:OutlineLevel", namespaces=NS) == "2"
    predecessor = check.find("p:PredecessorLink", NS)
    assert predecessor is not None
    assert [predecessor.findtext(f"p:{n}", namespaces=NS) for n in ("PredecessorUID", "Type", "LinkLag")] == ["3", "0", "-100"]
    rollback = tasks[5]
    assert rollback.findtext("p:Milestone", namespaces=NS) == "1"
    assert {(lk.findtext("p:PredecessorUID", namespaces=NS), lk.findtext("p:Type", namespaces=NS)) for lk in rollback.findall("p:PredecessorLink", NS)} == {
        ("3", "1"), ("4", "2")}
    names = [r.findtext("p:Name", namespaces=NS) for r in root.findall("p:Resources/p:Resource", NS)]
    assert names == ["lead", "Data migration team"]


def test_a_task_id_only_ms_project_knows_becomes_the_ref(world: Any, runbook: Runbook) -> None:
    MspdiImporter(runbook).commit(project(task(7, "Only task")), "p.xml", actor=world.users["lead"])
    assert list(runbook.tasks.values_list("ref", "title", "duration_minutes")) == [("7", "Only task", 60)]
    assert not Dependency.objects.exists()
