"""Board pack generation end to end (the tasks run inline): the figures in
the PDF and the XLSX are the summaries' figures, what changed since the last
board, immutability once ready, the failed path, the Board's notification and
the monthly schedule."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import pre_save
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from changeboard.accounts.models import Role
from changeboard.conftest import make_user
from changeboard.core.files import read_stored
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.readiness.models import Action, Criterion, CriterionStatus, Criticality, Rag
from changeboard.readiness.tests.helpers import closed_wave, respond, team
from changeboard.reports import packs, summary
from changeboard.reports.models import BoardPack

A, D, K, AB, R = "awareness", "desire", "knowledge", "ability", "reinforcement"
GOOD = [3, 4, 4, 5, 4] * 2  # mean 4.0 per element, 10 responses
LOW = [2, 3, 3, 2, 3] * 2  # mean 2.6: a barrier point
AS_OF = dt.date(2026, 10, 31)
LATER = dt.date(2026, 11, 20)


def add_board_data(world: Any) -> dict[str, Any]:
    """Two teams answering two closed waves of programme A (the second one
    less ready), a critical criterion at red for a unit going live, an
    overdue action and one not yet due, and Board members to notify."""
    team_a, team_b = team("Team A"), team("Team B")
    first = closed_wave(world.programme_a, "Pulse 1", dt.date(2026, 10, 9))
    respond(first, team_a, GOOD, invited=20)
    respond(first, team_b, GOOD, invited=20)
    second = closed_wave(world.programme_a, "Pulse 2", dt.date(2026, 11, 13))
    respond(second, team_a, {A: GOOD, D: GOOD, K: LOW, AB: GOOD, R: GOOD}, invited=20)
    respond(second, team_b, {A: GOOD, D: GOOD, K: LOW, AB: GOOD, R: GOOD}, invited=20)
    criterion = Criterion.objects.create(programme=world.programme_a, title="Sergeants trained on the new system",
                                         criticality=Criticality.CRITICAL)
    CriterionStatus.objects.create(criterion=criterion, unit=world.central_west, rag=Rag.RED, as_of=dt.date(2026, 10, 20))
    overdue = Action.objects.create(programme=world.programme_a, unit=world.westminster, title="Book the training rooms",
                                    due_date=dt.date(2026, 10, 1), owner=world.users["lead"])
    later = Action.objects.create(programme=world.programme_b, title="Agree the case file template", due_date=dt.date(2026, 11, 10))
    raised_before_the_packs(overdue, later)
    board = world.users["board"]
    board.email = "board@example.police.uk"
    board.save()
    left = make_user("board-left", Role.BOARD)
    left.email, left.is_active = "left@example.police.uk", False
    left.save()
    make_user("board-noemail", Role.BOARD)
    return {"criterion": criterion, "overdue": overdue, "later": later, "first": first, "second": second}


def raised_before_the_packs(*actions: Action) -> None:
    """Actions count as open on an as-of date only once raised: these were
    raised in the summer, before every as-of date here."""
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(created_at=dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC))


def request_and_build(as_of: dt.date, actor: Any, capture: Any) -> BoardPack:
    with capture(execute=True):
        pack = packs.pack_request(as_of=as_of, actor=actor)
    pack.refresh_from_db()
    return pack


def pdf_text(pack: BoardPack) -> str:
    assert pack.pdf is not None
    reader = PdfReader(io.BytesIO(read_stored(pack.pdf)))
    return "\n".join(page.extract_text() for page in reader.pages)


def sheet_rows(pack: BoardPack, name: str) -> list[tuple[Any, ...]]:
    assert pack.xlsx is not None
    wb = load_workbook(io.BytesIO(read_stored(pack.xlsx)))
    return list(wb[name].iter_rows(values_only=True))


@pytest.fixture
def data(world: Any) -> dict[str, Any]:
    return add_board_data(world)


def test_a_pack_is_generated_with_the_dashboards_figures(world: Any, data: dict[str, Any],
                                                          django_capture_on_commit_callbacks: Any) -> None:
    pack = request_and_build(AS_OF, world.users["admin"], django_capture_on_commit_callbacks)
    assert pack.status == BoardPack.Status.READY, pack.error
    assert pack.title == "Board pack, as of 31 October 2026"
    assert pack.generated_at is not None and pack.seconds is not None and pack.previous is None
    # The stored figures are the summaries' figures, as plain JSON.
    assert pack.content is not None and pack.xlsx is not None
    expected = packs.to_plain(summary.portfolio(None, AS_OF).as_dict())
    assert pack.content["portfolio"] == expected
    assert [s["programme"] for s in pack.content["programmes"]] == ["AAA", "BBB"]
    assert pack.content["programmes"][0] == packs.to_plain(summary.programme(world.programme_a, None, AS_OF).as_dict())
    assert pack.content["as_of"] == "2026-10-31"
    line = next(p for p in expected["programmes"] if p["programme"] == "AAA")
    assert line["score"]["shown"] and line["score"]["as_of"] == "2026-10-09"  # Pulse 2 closes after the as-of date
    index = line["score"]["index"]
    assert pack.content["exceptions"] == {"saturated_units": 0, "hotspots": 0, "not_ready": len(expected["not_ready"]),
                                          "critical_reds": 1, "barriers": len(expected["barriers"]), "overdue_actions": 1}
    assert pack.content["changes"] == {"previous": None}

    text = pdf_text(pack)
    assert "Board pack, as of 31 October 2026" in text
    assert "Exceptions as of 31 October 2026" in text
    assert "Sergeants trained on the new system" in text and "Book the training rooms" in text
    assert f"{index:.0f}" in text and "Pulse 1" in text
    assert "first board pack" in text
    assert "Page 1 of" in text
    assert "Agree the case file template" not in text  # not overdue on the as-of date

    html = pack.html
    assert html.startswith("<!DOCTYPE html>") and "data:image/svg+xml;base64," in html
    assert "<script" not in html

    programmes = sheet_rows(pack, "Programmes")
    header, rows = programmes[0], {r[0]: r for r in programmes[1:]}
    assert header[:6] == ("Programme", "Name", "Phase", "Readiness RAG", "Readiness index", "Readiness data as of")
    assert rows["AAA"][4] == index and rows["AAA"][5] == dt.datetime(2026, 10, 9)
    assert rows["AAA"][3] == line["score"]["rag_label"]
    assert rows["AAA"][9] == line["critical_reds"] == 1 and rows["AAA"][11] == line["overdue_actions"] == 1
    assert rows["BBB"][4] is None and rows["BBB"][3] == "Not enough data"
    actions = sheet_rows(pack, "Actions")
    assert actions[1][:2] == ("AAA", "Book the training rooms") and actions[1][4] == dt.datetime(2026, 10, 1) and actions[1][5] == 30
    exceptions = sheet_rows(pack, "Exceptions")
    kinds = [r[0] for r in exceptions[1:]]
    assert kinds.count("Critical criterion at red") == 1 and kinds.count("Overdue action") == 1
    red = next(r for r in exceptions if r[0] == "Critical criterion at red")
    assert red[2] == "Central West BCU" and red[4] == dt.datetime(2026, 10, 20)
    scores = sheet_rows(pack, "Scores by unit and wave")
    programme = pack.content["programmes"][0]
    expected_cells = [(row["unit"], wave["title"], score["index"] if score["shown"] else None)
                      for row in programme["heatmap"] for wave, score in zip(programme["waves"], row["scores"], strict=True)]
    assert [(r[1], r[2], r[5]) for r in scores[1:] if r[0] == "AAA"] == expected_cells
    assert {r[0] for r in sheet_rows(pack, "Criteria")[1:]} == {"AAA"}
    assert sheet_rows(pack, "Changes")[1][0] == "No previous pack: this is the first board pack"
    assert load_workbook(io.BytesIO(read_stored(pack.xlsx))).sheetnames == [
        "Exceptions", "Programmes", "Not enough data", "Scores by unit and wave", "Criteria", "Actions", "Changes"]
    actions_logged = list(AuditEntry.objects.filter(object_type="reports.boardpack", object_id=str(pack.pk)).values_list("action", flat=True))
    assert sorted(actions_logged) == ["create", "update"]


def test_the_board_is_emailed_a_link_without_figures(world: Any, data: dict[str, Any], django_capture_on_commit_callbacks: Any,
                                                     settings: Any) -> None:
    settings.SITE_URL = "https://changeboard.example"
    pack = request_and_build(AS_OF, world.users["admin"], django_capture_on_commit_callbacks)
    messages = list(OutboxMessage.objects.filter(kind="board-pack-ready"))
    assert [m.to_address for m in messages] == ["board@example.police.uk"]  # not the inactive one, nor one without email
    message = messages[0]
    assert message.subject == "Board pack ready: as of 31 October 2026"
    assert f"https://changeboard.example/board/packs/{pack.pk}/" in message.body
    assert "Book the training rooms" not in message.body and "Sergeants" not in message.body
    # Building again (a repeated task) neither rebuilds nor emails twice.
    assert packs.pack_build(pack.pk) == "skipped"
    assert OutboxMessage.objects.filter(kind="board-pack-ready").count() == 1


def test_what_changed_since_the_previous_pack(world: Any, data: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    first = request_and_build(AS_OF, world.users["admin"], django_capture_on_commit_callbacks)
    # Between the two boards: the overdue action is done, the red criterion
    # passes, another critical criterion turns red, an action falls overdue,
    # and Pulse 2 (a knowledge barrier) has closed.
    Action.objects.filter(pk=data["overdue"].pk).update(status=Action.Status.DONE)
    CriterionStatus.objects.filter(criterion=data["criterion"]).update(rag=Rag.GREEN)
    other = Criterion.objects.create(programme=world.programme_b, title="Case files migrated", criticality=Criticality.CRITICAL)
    CriterionStatus.objects.create(criterion=other, unit=world.north, rag=Rag.RED, as_of=dt.date(2026, 11, 15))
    second = request_and_build(LATER, world.users["board"], django_capture_on_commit_callbacks)
    assert second.status == BoardPack.Status.READY, second.error
    assert second.previous_id == first.pk
    assert first.content is not None and second.content is not None
    changes = second.content["changes"]
    assert changes["previous"] == {"id": first.pk, "title": first.title, "as_of": "2026-10-31"}
    before = first.content["portfolio"]["programmes"][0]["score"]
    after = second.content["portfolio"]["programmes"][0]["score"]
    assert after["as_of"] == "2026-11-13" and after["barrier"] == K
    assert changes["programmes"] == [{
        "programme": "AAA", "name": "Shared Services", "rag_from": before["rag"], "rag_to": after["rag"],
        "rag_from_label": before["rag_label"], "rag_to_label": after["rag_label"], "index_from": before["index"],
        "index_to": after["index"], "data_from": "2026-10-09", "data_to": "2026-11-13",
    }]
    assert changes["critical_opened"] == [{"programme": "BBB", "unit": "North BCU", "criterion": "Case files migrated"}]
    assert changes["critical_closed"] == [{"programme": "AAA", "unit": "Central West BCU", "criterion": "Sergeants trained on the new system"}]
    assert [a["title"] for a in changes["overdue_new"]] == ["Agree the case file template"]
    assert [(a["title"], a["status"]) for a in changes["actions_closed"]] == [("Book the training rooms", "Done")]
    assert [c["label"] for c in changes["counts"]][0] == "Units saturated by change load"
    assert {(u["programme"], u["unit"]) for u in changes["not_ready_new"]} == {("BBB", "North BCU")} - {
        (u["programme"], u["unit"]) for u in first.content["portfolio"]["not_ready"]}
    text = pdf_text(second)
    assert "What changed since the previous pack" in text
    assert "Now at red: Case files migrated" in text and "Closed (done): Book the training rooms" in text
    changes_sheet = sheet_rows(second, "Changes")
    assert ("Critical criterion now at red", "BBB", "Case files migrated: North BCU", None, "Red") in changes_sheet
    assert ("Overdue action closed", "AAA", "Book the training rooms", "Overdue", "Done") in changes_sheet
    assert any(r[0] == "Programme readiness changed" and r[1] == "AAA" for r in changes_sheet)


def test_compare_lists_new_and_cleared_units_and_new_hotspots() -> None:
    def content(not_ready: list[dict[str, Any]], hotspots: list[dict[str, Any]]) -> dict[str, Any]:
        p = {"programmes": [], "not_ready": not_ready, "hotspots": hotspots, "critical": [], "overdue": [], "barriers": [],
             "saturated_units": len(hotspots)}
        return {"as_of": "2026-10-01", "portfolio": p, "programmes": [], "exceptions": packs.exceptions_of(p)}

    unit = {"programme": "AAA", "rollout_wave": "Wave 1", "go_live": "2027-03-01", "reasons": ["Not enough data"]}
    hot = {"unit": "Camden", "unit_id": 7, "context": "", "week": "2026-11-02", "load": 9.5, "tolerance": 8.0, "programmes": ["AAA"]}
    before = content([{**unit, "unit": "Westminster", "unit_id": 1}], [])
    after = content([{**unit, "unit": "Camden", "unit_id": 2}], [hot, {**hot, "week": "2026-11-09", "load": 9.0}])
    changes = packs.compare(before, after)
    assert [u["unit"] for u in changes["not_ready_new"]] == ["Camden"]
    assert [u["unit"] for u in changes["not_ready_cleared"]] == ["Westminster"]
    assert changes["hotspots_new"] == [hot]  # once per unit, its heaviest week
    assert packs.compare(None, after) == {"previous": None}


def test_a_ready_pack_never_changes(world: Any, data: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    first = request_and_build(AS_OF, world.users["admin"], django_capture_on_commit_callbacks)
    saved: list[int] = []

    def spy(sender: Any, instance: BoardPack, **kwargs: Any) -> None:
        saved.append(instance.pk)

    pre_save.connect(spy, sender=BoardPack, dispatch_uid="test-spy")
    try:
        # A later pack compares with it, a repeated task is skipped, the
        # schedule runs: none of them saves the ready pack.
        request_and_build(LATER, world.users["admin"], django_capture_on_commit_callbacks)
        assert packs.pack_build(first.pk) == "skipped"
        packs.packs_due(dt.date(2026, 11, 1))
    finally:
        pre_save.disconnect(sender=BoardPack, dispatch_uid="test-spy")
    assert first.pk not in saved
    first.title = "Rewritten"
    with pytest.raises(packs.PackImmutable):
        first.save()
    stored = BoardPack.objects.get(pk=first.pk)
    assert stored.title == "Board pack, as of 31 October 2026" and stored.status == BoardPack.Status.READY


def test_a_failed_pack_records_why_and_notifies_nobody(world: Any, data: dict[str, Any], django_capture_on_commit_callbacks: Any,
                                                        client: Any) -> None:
    with mock.patch.object(packs, "render_pdf", side_effect=RuntimeError("no fonts\ncould be loaded")):
        pack = request_and_build(AS_OF, world.users["admin"], django_capture_on_commit_callbacks)
    assert pack.status == BoardPack.Status.FAILED
    assert pack.error == "RuntimeError: no fonts could be loaded"
    assert not pack.pdf and not pack.content
    assert not OutboxMessage.objects.filter(kind="board-pack-ready").exists()
    entry = AuditEntry.objects.filter(object_type="reports.boardpack", action="update").get()
    assert entry.after is not None and entry.after["status"] == "failed"
    client.force_login(world.users["board"])
    page = client.get(pack.get_absolute_url()).content.decode()
    assert "RuntimeError: no fonts could be loaded" in page and "Traceback" not in page


def test_the_as_of_date_cannot_be_in_the_future(world: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        packs.pack_request(as_of=timezone.localdate() + dt.timedelta(days=1), actor=world.users["board"])
    assert "as_of" in raised.value.message_dict
    assert not BoardPack.objects.exists()


def test_the_monthly_pack_is_requested_once(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        pack = packs.packs_due(dt.date(2026, 10, 1))
    assert pack is not None
    pack.refresh_from_db()
    assert pack.scheduled and pack.as_of == dt.date(2026, 10, 1) and pack.requested_by is None
    assert pack.status == BoardPack.Status.READY
    # Every later pass that month finds it and does nothing while it is live
    # (queued, building or ready; a failed one is asked for again).
    assert packs.packs_due(dt.date(2026, 10, 1)) is None
    assert packs.packs_due(dt.date(2026, 10, 3)) is None
    # A scheduler that was down on the first catches up in the first week only.
    assert packs.packs_due(dt.date(2026, 9, 20)) is None
    catch_up = packs.packs_due(dt.date(2026, 8, 4))
    assert catch_up is not None and catch_up.as_of == dt.date(2026, 8, 1)
    # A pack someone asked for on the first does not stand in for the schedule's.
    packs.pack_request(as_of=dt.date(2026, 7, 1), actor=world.users["board"])
    assert packs.packs_due(dt.date(2026, 7, 1)) is not None
    assert BoardPack.objects.filter(scheduled=True).count() == 3


def test_the_scheduler_asks_for_the_monthly_pack(world: Any, settings: Any) -> None:
    settings.OUTBOX_SEND = False
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 1)):
        call_command("run_scheduler", "--once")
        call_command("run_scheduler", "--once")
    assert list(BoardPack.objects.filter(scheduled=True).values_list("as_of", flat=True)) == [dt.date(2026, 11, 1)]


def test_spreadsheet_text_is_guarded_against_formulas(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    world.programme_a.name = "=HYPERLINK(\"http://evil.example\")"
    world.programme_a.save()
    raised_before_the_packs(Action.objects.create(programme=world.programme_a, title="+SUM(A1:A9)", due_date=dt.date(2026, 9, 1)))
    pack = request_and_build(AS_OF, world.users["admin"], django_capture_on_commit_callbacks)
    programmes = {r[0]: r for r in sheet_rows(pack, "Programmes")[1:]}
    assert programmes["AAA"][1] == "'=HYPERLINK(\"http://evil.example\")"
    assert sheet_rows(pack, "Actions")[1][1] == "'+SUM(A1:A9)"


def test_a_pack_is_built_from_stored_text_with_control_characters(world: Any, data: dict[str, Any],
                                                                  django_capture_on_commit_callbacks: Any) -> None:
    """Issue 17: text stored before input was cleaned (written straight to
    the database here) never fails a pack: PDF, XLSX and HTML are built,
    without the characters."""
    from changeboard.portfolio.models import Programme

    nul = "" if connection.vendor == "postgresql" else "\u0000"  # PostgreSQL cannot store a NUL at all
    Action.objects.filter(pk=data["overdue"].pk).update(title=f"Book the\u000btraining\u0001 rooms{nul}")
    Criterion.objects.filter(pk=data["criterion"].pk).update(title="Sergeants\u000btrained\u001f")
    Programme.objects.filter(pk=world.programme_a.pk).update(name=world.programme_a.name + "\u000b\u0008")
    pack = request_and_build(AS_OF, world.users["admin"], django_capture_on_commit_callbacks)
    assert pack.status == BoardPack.Status.READY, pack.error
    assert pack.pdf is not None and pack.xlsx is not None
    assert read_stored(pack.pdf).startswith(b"%PDF") and "Book the training rooms" in pdf_text(pack)
    workbook = load_workbook(io.BytesIO(read_stored(pack.xlsx)))
    cells = [str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "Book the training rooms (" in " ".join(cells)
    assert not any(c in text for text in cells for c in "\u000b\u0001\u0000\u001f\u0008")
    assert "Book the training rooms" in pack.html and "\u000b" not in pack.html and "\u0000" not in pack.html
