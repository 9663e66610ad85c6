"""Criteria services: validation of the feeds, evaluation from stored unit
scores and from training records (green, amber, red, no data), manual
statuses, and the evidence checks (size, type, content, link or file)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry
from changeboard.organisation.services import unit_ensure_path
from changeboard.readiness.models import Criterion, CriterionStatus, Evidence, Rag, TrainingRecord, UnitScore
from changeboard.readiness.services import criteria as services

from .helpers import closed_wave

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_file(main: str) -> bytes:
    """A minimal Office Open XML package whose main part names its kind."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main, "<x/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def manual(world: Any, **fields: Any) -> Criterion:
    return services.criterion_save(programme=world.programme_a, actor=world.users["lead"], **{"title": "Local process signed off", **fields})


def score_criterion(world: Any, **fields: Any) -> Criterion:
    return manual(world, title="Knowledge of the new process", feed="score", element="knowledge", threshold="3.5", **fields)


def training_criterion(world: Any, **fields: Any) -> Criterion:
    return manual(world, title="Officers trained", feed="training", course="sbs-101", threshold=80, **fields)


def status(criterion: Criterion, unit: Any) -> CriterionStatus:
    return CriterionStatus.objects.get(criterion=criterion, unit=unit)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(("fields", "errors"), [
    ({"feed": "score"}, {"element", "threshold"}),
    ({"feed": "score", "element": "knowledge", "threshold": "5.5"}, {"threshold"}),
    ({"feed": "score", "element": "knowledge", "threshold": "0.5"}, {"threshold"}),
    ({"feed": "score", "element": "nonsense", "threshold": "3"}, {"element"}),
    ({"feed": "training"}, {"course", "threshold"}),
    ({"feed": "training", "course": "X1", "threshold": "101"}, {"threshold"}),
    ({"feed": "training", "course": "X1", "threshold": "-1"}, {"threshold"}),
    ({"feed": "training", "course": "  ", "threshold": "90"}, {"course"}),
    ({"title": "  "}, {"title"}),
])
def test_feed_validation(world: Any, fields: dict[str, Any], errors: set[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        manual(world, **fields)
    assert set(caught.value.message_dict) == errors
    assert not Criterion.objects.exists()


def test_a_wave_of_another_programme_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        manual(world, rollout_wave=world.wave_b)
    assert "rollout_wave" in caught.value.message_dict


def test_manual_needs_neither_and_clears_feed_fields(world: Any) -> None:
    criterion = manual(world, element="knowledge", threshold="3", course="X")
    assert (criterion.feed, criterion.element, criterion.threshold, criterion.course) == ("manual", "", None, "")
    # One status per unit of the programme's waves, not assessed yet.
    assert [(s.unit, s.rag) for s in criterion.statuses.all()] == [(world.central_west, Rag.NOT_ASSESSED)]


def test_fed_criteria_fill_in_their_pass_mark_and_course_code(world: Any) -> None:
    assert score_criterion(world).pass_mark == "Knowledge mean at least 3.5"
    trained = training_criterion(world)
    assert (trained.course, trained.pass_mark, trained.element) == ("SBS-101", "At least 80% completed SBS-101", "")


def test_create_edit_delete_are_audited(world: Any) -> None:
    criterion = manual(world)
    services.criterion_save(programme=world.programme_a, criterion=criterion, actor=world.users["lead"], title="Renamed", criticality="critical")
    criterion.refresh_from_db()
    assert (criterion.title, criterion.criticality) == ("Renamed", "critical")
    pk = criterion.pk
    services.criterion_delete(criterion=criterion, actor=world.users["lead"])
    actions = list(AuditEntry.objects.filter(object_type="readiness.criterion", object_id=str(pk)).values_list("action", flat=True))
    assert actions.count("create") == 1 and actions.count("delete") == 1 and "update" in actions
    assert not CriterionStatus.objects.exists()


def test_a_criterion_cannot_move_programme(world: Any) -> None:
    criterion = manual(world)
    with pytest.raises(ValidationError):
        services.criterion_save(programme=world.programme_b, criterion=criterion, actor=None, title="Moved")


# ---------------------------------------------------------------- manual statuses


def test_status_set_records_rag_note_date_and_audit(world: Any) -> None:
    criterion = manual(world)
    row = status(criterion, world.central_west)
    services.status_set(status=row, rag=Rag.AMBER, note="Two teams still to brief", actor=world.users["lead"])
    row.refresh_from_db()
    assert (row.rag, row.note, row.as_of, row.updated_by) == (Rag.AMBER, "Two teams still to brief", timezone.localdate(), world.users["lead"])
    entry = AuditEntry.objects.filter(object_type="readiness.criterionstatus").get()
    assert entry.before is not None and entry.after is not None
    assert entry.before["rag"] == "not_assessed" and entry.after["rag"] == "amber"


def test_status_set_refuses_fed_criteria_and_unknown_rags(world: Any) -> None:
    with pytest.raises(ValidationError, match="fed from survey scores"):
        services.status_set(status=status(score_criterion(world), world.central_west), rag=Rag.GREEN, actor=None)
    with pytest.raises(ValidationError):
        services.status_set(status=status(manual(world), world.central_west), rag=Rag.NO_DATA, actor=None)


def test_switching_a_fed_criterion_to_manual_forgets_the_feeds_colours(world: Any) -> None:
    make_staff("100002", world.team)
    TrainingRecord.objects.create(staff=world.staff_in, course="SBS-101", completed_on=dt.date(2026, 1, 5))
    criterion = training_criterion(world)
    assert status(criterion, world.central_west).rag != Rag.NOT_ASSESSED
    services.criterion_save(programme=world.programme_a, criterion=criterion, actor=None, title=criterion.title, feed="manual")
    row = status(criterion, world.central_west)
    assert (row.rag, row.value, row.as_of) == (Rag.NOT_ASSESSED, "", None)


# ---------------------------------------------------------------- evaluation: units


def test_units_follow_the_rollout_waves(world: Any) -> None:
    criterion = manual(world)
    services.status_set(status=status(criterion, world.central_west), rag=Rag.GREEN, actor=None)
    world.wave_a.units.add(world.camden)
    services.criterion_evaluate(criterion=criterion)
    assert {s.unit for s in criterion.statuses.all()} == {world.central_west, world.camden}
    # A manual status survives re-evaluation.
    assert status(criterion, world.central_west).rag == Rag.GREEN
    world.wave_a.units.remove(world.central_west)
    services.criterion_evaluate(criterion=criterion)
    assert [s.unit for s in criterion.statuses.all()] == [world.camden]


def test_a_criterion_of_one_wave_assesses_only_its_units(world: Any) -> None:
    from changeboard.portfolio.models import RolloutWave

    later = RolloutWave.objects.create(programme=world.programme_a, name="Wave 2", go_live_date=dt.date(2027, 6, 1))
    later.units.set([world.camden])
    assert [s.unit for s in manual(world, rollout_wave=later).statuses.all()] == [world.camden]
    assert {s.unit for s in manual(world, title="Everywhere").statuses.all()} == {world.central_west, world.camden}


def test_evaluation_writes_one_audit_row_per_criterion(world: Any) -> None:
    world.wave_a.units.add(world.camden, world.north)
    criterion = training_criterion(world)
    before = AuditEntry.objects.count()
    summary = services.criterion_evaluate(criterion=criterion, actor=world.users["admin"])
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.after is not None
    assert entry.object_id == str(criterion.pk) and entry.after["evaluated"] == summary and entry.after["units"] == 3


# ---------------------------------------------------------------- evaluation: scores


def unit_score(wave: Any, unit: Any, **fields: Any) -> UnitScore:
    return UnitScore.objects.create(wave=wave, unit=unit, **{"shown": True, "index": 60.0, "knowledge": 3.6, **fields})


def test_score_feed_green_red_and_the_latest_wave_with_a_row(world: Any) -> None:
    early = closed_wave(world.programme_a, "January pulse", dt.date(2026, 1, 31))
    late = closed_wave(world.programme_a, "March pulse", dt.date(2026, 3, 31))
    world.wave_a.units.add(world.camden)
    unit_score(early, world.central_west, knowledge=2.0)
    unit_score(late, world.central_west, knowledge=3.504)
    unit_score(early, world.camden, knowledge=3.2)  # the later wave has no row for Camden
    criterion = score_criterion(world)
    green, red = status(criterion, world.central_west), status(criterion, world.camden)
    assert (green.rag, green.value, green.as_of) == (Rag.GREEN, "3.50", dt.date(2026, 3, 31))
    assert (red.rag, red.value, red.as_of) == (Rag.RED, "3.20", dt.date(2026, 1, 31))


def test_score_feed_compares_the_figure_it_shows(world: Any) -> None:
    wave = closed_wave(world.programme_a, "Pulse", dt.date(2026, 3, 31))
    unit_score(wave, world.central_west, knowledge=3.4951)  # shown as 3.50
    assert status(score_criterion(world), world.central_west).rag == Rag.GREEN


def test_score_feed_hidden_or_missing_is_no_data_never_a_colour(world: Any) -> None:
    early = closed_wave(world.programme_a, "January pulse", dt.date(2026, 1, 31))
    late = closed_wave(world.programme_a, "March pulse", dt.date(2026, 3, 31))
    world.wave_a.units.add(world.camden)
    unit_score(early, world.central_west, knowledge=4.5)
    UnitScore.objects.create(wave=late, unit=world.central_west, shown=False, reason="few")
    criterion = score_criterion(world)
    hidden, missing = status(criterion, world.central_west), status(criterion, world.camden)
    assert (hidden.rag, hidden.value, hidden.as_of) == (Rag.NO_DATA, "", dt.date(2026, 3, 31))
    assert (missing.rag, missing.value, missing.as_of) == (Rag.NO_DATA, "", None)


def test_open_waves_and_other_programmes_do_not_count(world: Any) -> None:
    other = closed_wave(world.programme_b, "BBB pulse", dt.date(2026, 3, 31))
    unit_score(other, world.central_west, knowledge=5.0)
    assert status(score_criterion(world), world.central_west).rag == Rag.NO_DATA


# ---------------------------------------------------------------- evaluation: training


@pytest.fixture
def ten_in_post(world: Any) -> list[Any]:
    """Ten people in post at or below Central West (staff_in and nine more),
    a leaver there, and a unit in the wave with nobody in it."""
    people = [world.staff_in, *[make_staff(f"10010{i}", world.team) for i in range(9)]]
    leaver = make_staff("100199", world.team, is_leaver=True)
    TrainingRecord.objects.create(staff=leaver, course="SBS-101", completed_on=dt.date(2026, 2, 1))
    empty = unit_ensure_path(full_path="Test Force > Support Services", actor=None, known={})
    world.wave_a.units.add(empty)
    world.empty = empty
    return people


def train(people: list[Any], n: int, course: str = "SBS-101", day: dt.date = dt.date(2026, 1, 10)) -> None:
    for i, person in enumerate(people[:n]):
        TrainingRecord.objects.create(staff=person, course=course, completed_on=day + dt.timedelta(days=i))


@pytest.mark.parametrize(("trained", "rag", "value"), [
    (8, Rag.GREEN, "80% (8 of 10)"),
    (10, Rag.GREEN, "100% (10 of 10)"),
    (7, Rag.AMBER, "70% (7 of 10)"),
    (6, Rag.RED, "60% (6 of 10)"),
    (0, Rag.RED, "0% (0 of 10)"),
])
def test_training_feed_bands(world: Any, ten_in_post: list[Any], trained: int, rag: str, value: str) -> None:
    train(ten_in_post, trained)
    train(ten_in_post, 10, course="OTHER-1")  # another course does not count
    row = status(training_criterion(world), world.central_west)
    assert (row.rag, row.value) == (rag, value)
    expected_as_of = dt.date(2026, 1, 10) + dt.timedelta(days=trained - 1) if trained else timezone.localdate()
    assert row.as_of == expected_as_of


def test_training_feed_unit_without_staff_is_no_data(world: Any, ten_in_post: list[Any]) -> None:
    train(ten_in_post, 10)
    row = status(training_criterion(world), world.empty)
    assert (row.rag, row.value) == (Rag.NO_DATA, "No staff in post")


def test_training_feed_rounds_the_share_down(world: Any, ten_in_post: list[Any]) -> None:
    people = [*ten_in_post, *[make_staff(f"10020{i}", world.team) for i in range(2)]]  # 12 in post
    train(people, 11)  # 91.67%
    row = status(manual(world, title="Trained", feed="training", course="SBS-101", threshold="92"), world.central_west)
    assert (row.rag, row.value) == (Rag.AMBER, "91% (11 of 12)")


def test_evaluate_fed_and_programme(world: Any, ten_in_post: list[Any]) -> None:
    trained, scored, by_hand = training_criterion(world), score_criterion(world), manual(world)
    assert status(trained, world.central_west).rag == Rag.RED
    train(ten_in_post, 9)
    assert services.criteria_evaluate_fed(Criterion.Feed.TRAINING) == 1
    assert status(trained, world.central_west).rag == Rag.GREEN
    assert services.criteria_evaluate_fed() == 2
    assert services.criteria_evaluate_programme(world.programme_a) == 3
    assert status(scored, world.central_west).rag == Rag.NO_DATA
    assert status(by_hand, world.central_west).rag == Rag.NOT_ASSESSED


def test_training_evaluation_query_count_does_not_grow_with_staff(world: Any, ten_in_post: list[Any],
                                                                django_assert_max_num_queries: Any) -> None:
    criterion = training_criterion(world)
    train(ten_in_post, 5)
    with django_assert_max_num_queries(14):
        services.criterion_evaluate(criterion=criterion)
    for i in range(30):
        make_staff(f"1003{i:02d}", world.team)
    with django_assert_max_num_queries(14):
        services.criterion_evaluate(criterion=criterion)


# ---------------------------------------------------------------- evidence


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(("name", "data", "mime"), [
    ("plan.pdf", PDF, "application/pdf"),
    ("photo.PNG", PNG, "image/png"),
    ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg"),
    ("notes.txt", "Briefing held on 3 March – all teams".encode(), "text/plain"),
    ("counts.csv", b"team,trained\r\nA,4\r\n", "text/csv"),
    ("brief.docx", office_file("word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("deck.pptx", office_file("ppt/presentation.xml"), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
], ids=["pdf", "png", "jpeg", "txt", "csv", "docx", "pptx"])
def test_accepted_files_are_stored_under_a_random_name(world: Any, name: str, data: bytes, mime: str) -> None:
    criterion = manual(world)
    evidence = services.evidence_add(criterion=criterion, title="Proof", file=upload(name, data, "text/html"), actor=world.users["lead"])
    assert (evidence.file_name, evidence.content_type, evidence.size, evidence.url) == (name, mime, len(data), "")
    assert evidence.file.name is not None
    assert name not in evidence.file.name and evidence.file.name.startswith(f"evidence/{criterion.pk}/")
    assert evidence.file.read() == data
    assert AuditEntry.objects.filter(object_type="readiness.evidence", action="create").count() == 1


def test_xlsx_is_accepted(world: Any) -> None:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    evidence = services.evidence_add(criterion=manual(world), title="Tracker", file=upload("tracker.xlsx", buffer.getvalue()), actor=None)
    assert evidence.content_type.endswith("spreadsheetml.sheet")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 64, "must be a PDF, DOCX, XLSX, PPTX, CSV, TXT, PNG or JPEG file"),
    ("page.html", b"<html></html>", "must be a PDF"),
    ("noextension", PDF, "must be a PDF"),
    ("report.pdf", PNG, "is not a PDF file: its content does not match its name"),
    ("report.pdf", b"<script>alert(1)</script>", "is not a PDF file"),
    ("photo.png", PDF, "is not a PNG image file"),
    ("brief.docx", office_file("ppt/presentation.xml"), "is not a Word (DOCX) file"),
    ("deck.pptx", b"PK\x03\x04" + b"\x00" * 64, "is not a PowerPoint (PPTX) file"),
    ("notes.txt", b"caf\xe9 au lait", "must be text in UTF-8"),
    ("counts.csv", PNG, "must be text in UTF-8"),
    ("counts.csv", b"a,b\x00c", "holds binary data"),
    ("empty.pdf", b"", "is empty"),
], ids=["exe", "html", "no-extension", "png-as-pdf", "script-as-pdf", "pdf-as-png", "pptx-as-docx", "zip-as-pptx", "latin1-txt",
        "png-as-csv", "nul-in-csv", "empty"])
def test_refused_files(world: Any, name: str, data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(criterion=manual(world), title="Proof", file=upload(name, data), actor=None)
    assert message in " ".join(caught.value.message_dict["file"])
    assert not Evidence.objects.exists()


def test_too_big(world: Any, settings: Any) -> None:
    settings.EVIDENCE_MAX_MB = 1
    criterion = manual(world)
    with pytest.raises(ValidationError, match="smaller than 1 MB"):
        services.evidence_add(criterion=criterion, title="Big", file=upload("big.txt", b"a" * (1024 * 1024 + 1)), actor=None)
    services.evidence_add(criterion=criterion, title="Just fits", file=upload("ok.txt", b"a" * (1024 * 1024)), actor=None)


def test_link_only_and_link_rules(world: Any) -> None:
    criterion = manual(world)
    evidence = services.evidence_add(criterion=criterion, title="Plan on SharePoint", url="https://sharepoint.example/plan",
                                     unit=world.central_west, actor=world.users["lead"])
    assert (evidence.url, evidence.file.name or "", evidence.unit) == ("https://sharepoint.example/plan", "", world.central_west)
    for bad in ("javascript:alert(1)", "ftp://files.example/plan", "not a link"):
        with pytest.raises(ValidationError) as caught:
            services.evidence_add(criterion=criterion, title="Bad", url=bad, actor=None)
        assert "url" in caught.value.message_dict
    with pytest.raises(ValidationError, match="not both"):
        services.evidence_add(criterion=criterion, title="Both", url="https://a.example/", file=upload("a.pdf", PDF), actor=None)
    with pytest.raises(ValidationError, match="or upload a file"):
        services.evidence_add(criterion=criterion, title="Neither", actor=None)
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(criterion=criterion, title="", url="https://a.example/", unit=world.camden, actor=None)
    assert set(caught.value.message_dict) == {"title", "unit"}


def test_evidence_delete_removes_the_file_after_commit(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    evidence = services.evidence_add(criterion=manual(world), title="Proof", file=upload("plan.pdf", PDF), actor=None)
    storage, name = evidence.file.storage, evidence.file.name
    assert name is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(evidence=evidence, actor=world.users["lead"])
    assert not storage.exists(name) and not Evidence.objects.exists()
    assert AuditEntry.objects.filter(object_type="readiness.evidence", action="delete").count() == 1


def test_criterion_delete_removes_its_files(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    criterion = manual(world)
    evidence = services.evidence_add(criterion=criterion, title="Proof", file=upload("plan.pdf", PDF), actor=None)
    storage, name = evidence.file.storage, evidence.file.name
    assert name is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.criterion_delete(criterion=criterion, actor=None)
    assert not storage.exists(name)
