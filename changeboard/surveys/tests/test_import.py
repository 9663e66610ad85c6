"""Importing responses collected in another survey tool into a wave: the
checks (every bad input by row, column and reason), the commit and its
counts, and the upload -> preview -> commit pages with their permissions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from changeboard.core.models import AuditEntry, PendingUpload
from changeboard.surveys import importing, services
from changeboard.surveys.models import ANSWER_TEXT_MAX, Answer, AudienceCell, Question, Response, SurveyWave

COVERED_NAMES = {"response-import", "response-import-preview"}

QUESTION_CODES = ["aw-why", "aw-what", "de-support", "de-benefit", "kn-how", "kn-training", "ab-confident", "ab-time",
                  "re-help", "re-leaders", "overall", "one-thing"]


def make_wave(world: Any, instrument: Any = None, **fields: Any) -> SurveyWave:
    today = timezone.localdate()
    instrument = instrument or services.default_instrument()
    assert instrument is not None
    wave = services.wave_create(programme=world.programme_a, instrument=instrument,
                                title=fields.pop("title", "Pulse"), opens_on=today, closes_on=today + dt.timedelta(days=13),
                                audience_source="manual", units=[world.team], actor=None, **fields)
    services.wave_launch(wave=wave, actor=None)
    services.open_due(today)
    wave.refresh_from_db()
    return wave


@pytest.fixture
def wave(world: Any) -> SurveyWave:
    wave = make_wave(world)
    assert wave.status == SurveyWave.Status.OPEN
    return wave


def answers(value: str = "4", **overrides: str) -> dict[str, str]:
    row = {code: value for code in QUESTION_CODES}
    row["overall"] = "7"
    row["one-thing"] = "More time to practise"
    row.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return row


def response(unit: Any, role_group: str = "officer", **overrides: str) -> dict[str, str]:
    return {"unit_code": unit.code, "role_group": role_group, **answers(**overrides)}


def to_csv(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    columns = columns or ["unit_code", "role_group", *QUESTION_CODES]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue().encode("utf-8")


def where(report: importing.ResponseImportReport) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in report.problems}


# --------------------------------------------------------------------------
# A good file


def test_template_has_the_waves_columns_and_an_example_that_imports(wave: SurveyWave, world: Any) -> None:
    text = importing.sample_csv(wave)
    header, example = list(csv.reader(io.StringIO(text)))
    assert header == ["unit_code", "role_group", *QUESTION_CODES]
    assert example[:2] == [world.team.code, "officer"]
    report = importing.preview(text.encode(), "template.csv", wave=wave)
    assert (report.valid, report.invalid, report.problems, report.answers) == (1, 0, [], len(QUESTION_CODES))


def test_preview_counts_and_writes_nothing(wave: SurveyWave, world: Any) -> None:
    data = to_csv([response(world.team), response(world.team, "staff", aw_why=""), response(world.camden)])
    report = importing.preview(data, "responses.csv", wave=wave)
    assert (report.rows, report.valid, report.invalid, report.problems) == (3, 3, 0, [])
    assert report.answers == 3 * len(QUESTION_CODES) - 1
    assert not report.refused and "Would import 3 responses" in report.summary()
    assert [(unit.pk, group, n) for unit, group, n in report.cells()] == [
        (world.team.pk, "Police officers", 1), (world.team.pk, "Police staff", 1), (world.camden.pk, "Police officers", 1),
    ]
    assert not Response.objects.exists()


def test_commit_stores_responses_answers_counts_and_one_audit_row(wave: SurveyWave, world: Any) -> None:
    team_officers = AudienceCell.objects.get(wave=wave, unit=world.team, role_group="officer")
    assert (team_officers.invited, team_officers.imported) == (1, 0)
    audit_before = AuditEntry.objects.count()
    rows = [response(world.team), response(world.team, "Police officers", one_thing=""), response(world.camden, "STAFF"),
            response(world.north, "Volunteers and contractors", overall="0")]
    report = importing.commit(to_csv(rows), "responses.csv", wave=wave, actor=world.users["lead"])

    assert report.committed and report.created == 4 and report.answers == 4 * len(QUESTION_CODES) - 1
    assert Response.objects.filter(wave=wave, source=Response.Source.IMPORT).count() == 4
    assert Answer.objects.filter(response__wave=wave).count() == 4 * len(QUESTION_CODES) - 1
    overall = Question.objects.get(code="overall")
    assert list(Answer.objects.filter(question=overall).order_by("value").values_list("value", flat=True)) == [0, 7, 7, 7]
    assert set(Answer.objects.filter(question__code="one-thing").values_list("text", flat=True)) == {"More time to practise"}

    team_officers.refresh_from_db()
    assert (team_officers.invited, team_officers.responded, team_officers.imported) == (1, 0, 2)
    camden = AudienceCell.objects.get(wave=wave, unit=world.camden, role_group="staff")
    assert (camden.invited, camden.imported) == (0, 1)
    assert AudienceCell.objects.get(wave=wave, unit=world.north, role_group="other").imported == 1

    # One audit row for the whole import, none per response.
    assert AuditEntry.objects.count() - audit_before == 1
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.object_type, entry.object_id) == ("import", "surveys.surveywave", str(wave.pk))
    assert entry.after == {"responses": 4, "file": "responses.csv"}
    assert entry.actor == world.users["lead"]

    # A second file adds to the counts.
    importing.commit(to_csv([response(world.team)]), "more.csv", wave=wave, actor=None)
    team_officers.refresh_from_db()
    assert team_officers.imported == 3


def test_headers_ignore_case_spaces_and_hyphens_and_an_xlsx_file_works(wave: SurveyWave, world: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Unit Code", "ROLE-GROUP", "AW_WHY", "Overall"])
    sheet.append([world.team.code, "Police staff", 5, 10])
    sheet.append([world.camden.code, "other", 1.0, 0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = importing.commit(buffer.getvalue(), "responses.xlsx", wave=wave, actor=None)
    assert (report.created, report.answers, report.problems) == (2, 4, [])
    assert list(Answer.objects.filter(question__code="aw-why").order_by("value").values_list("value", flat=True)) == [1, 5]


def test_a_choice_answers_by_number_or_by_the_options_text(world: Any) -> None:
    channel = services.question_create(code="channel", text="How did you hear?", kind="choice", actor=None,
                                       choices=["Briefing", "Email", "Team meeting"], programme=world.programme_a)
    instrument = services.instrument_create(name="Pulse", actor=None, programme=world.programme_a, base=services.default_instrument())
    services.instrument_add_question(instrument=instrument, question=channel, actor=None)
    wave = make_wave(world, instrument)
    columns = ["unit_code", "role_group", "channel"]
    rows = [{"unit_code": world.team.code, "role_group": "officer", "channel": value}
            for value in ["1", "email", "  Team   MEETING ", "3", "4", "0", "Carrier pigeon", "2.5"]]
    report = importing.preview(to_csv(rows, columns), "r.csv", wave=wave)
    assert [(p.row, p.reason.split(":")[0]) for p in report.problems] == [
        (6, "Out of range"), (7, "Out of range"), (8, "Not one of the options"), (9, "Not a whole number"),
    ]
    assert "1 to 3 or an option's text" in report.problems[0].reason
    importing.commit(to_csv(rows[:4], columns), "r.csv", wave=wave, actor=None)
    assert list(Answer.objects.filter(question=channel).order_by("value").values_list("value", flat=True)) == [1, 2, 3, 3]


# --------------------------------------------------------------------------
# Every kind of bad input: the right row, column and reason


BAD_CELLS = [
    ("unit_code", "NOPE-1", "Unknown unit"),
    ("unit_code", "", "Missing"),
    ("role_group", "sergeants", "Unknown role group"),
    ("role_group", "", "Missing"),
    ("aw-why", "6", "Out of range"),
    ("aw-why", "0", "Out of range"),
    ("aw-why", "agree", "Not a number"),
    ("aw-why", "3.5", "Not a whole number"),
    ("overall", "11", "Out of range"),
    ("overall", "-1", "Out of range"),
    ("overall", "Infinity", "Not a whole number"),
    ("one-thing", "x" * (ANSWER_TEXT_MAX + 1), "Too long"),
]


@pytest.mark.parametrize(("column", "value", "reason"), BAD_CELLS)
def test_each_bad_cell_is_reported_by_row_column_and_reason(wave: SurveyWave, world: Any, column: str, value: str, reason: str) -> None:
    bad = response(world.team)
    bad[column] = value
    report = importing.preview(to_csv([response(world.team), bad, response(world.team)]), "r.csv", wave=wave)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, column, value)]
    assert report.problems[0].reason.startswith(reason)
    assert (report.valid, report.invalid) == (2, 1) and report.refused


def test_text_at_the_limit_is_fine(wave: SurveyWave, world: Any) -> None:
    report = importing.preview(to_csv([response(world.team, one_thing="x" * ANSWER_TEXT_MAX)]), "r.csv", wave=wave)
    assert report.problems == []


def test_a_row_without_any_answer_is_an_error(wave: SurveyWave, world: Any) -> None:
    empty = {"unit_code": world.team.code, "role_group": "officer"}
    report = importing.preview(to_csv([response(world.team), empty]), "r.csv", wave=wave)
    assert where(report) == {(3, importing.NO_ANSWERS)}
    assert report.problems[0].reason.startswith("No answers")


def test_several_problems_on_one_row_are_all_reported(wave: SurveyWave, world: Any) -> None:
    bad = {"unit_code": "NOPE", "role_group": "nobody", **answers(aw_why="9", overall="ten")}
    report = importing.preview(to_csv([bad]), "r.csv", wave=wave)
    assert where(report) == {(2, "unit_code"), (2, "role_group"), (2, "aw-why"), (2, "overall")}
    assert report.invalid == 1


def test_role_groups_by_value_or_name_in_any_case(wave: SurveyWave, world: Any) -> None:
    names = ["officer", "OFFICER", "Police officers", "police  STAFF", "staff", "Volunteers and contractors", "other",
             "Not recorded", "unknown"]
    report = importing.commit(to_csv([response(world.team, name) for name in names]), "r.csv", wave=wave, actor=None)
    assert report.problems == [] and report.created == len(names)
    counts = dict(AudienceCell.objects.filter(wave=wave, unit=world.team).values_list("role_group", "imported"))
    assert counts == {"officer": 3, "staff": 2, "other": 2, "unknown": 2}


def test_unknown_columns_are_one_file_problem_naming_them(wave: SurveyWave, world: Any) -> None:
    columns = ["unit_code", "role_group", "aw-why", "respondent_email", "aw-whyy", ""]
    data = to_csv([response(world.team)], columns)
    report = importing.preview(data, "r.csv", wave=wave)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(1, "header", "respondent_email, aw-whyy")]
    assert "Unknown columns" in report.problems[0].reason and "aw-why" in report.problems[0].reason
    assert report.unknown_columns == ["respondent_email", "aw-whyy"]
    assert (report.valid, report.invalid) == (1, 0) and report.refused
    with pytest.raises(importing.ResponseImportRefused, match="respondent_email, aw-whyy"):
        importing.commit(data, "r.csv", wave=wave, actor=None)
    assert not Response.objects.exists()
    # Importing only what is valid ignores them.
    report = importing.commit(data, "r.csv", wave=wave, actor=None, skip_invalid=True)
    assert report.created == 1 and "unknown columns ignored (respondent_email, aw-whyy)" in report.summary()
    assert Answer.objects.count() == 1


@pytest.mark.parametrize("missing", ["unit_code", "role_group"])
def test_a_file_without_unit_code_or_role_group_is_refused(wave: SurveyWave, world: Any, missing: str) -> None:
    columns = [c for c in ["unit_code", "role_group", *QUESTION_CODES] if c != missing]
    data = to_csv([response(world.team)], columns)
    report = importing.preview(data, "r.csv", wave=wave)
    assert report.missing_columns == [missing] and where(report) == {(1, missing)}
    assert report.refused and f"({missing})" in report.refusal_message()
    with pytest.raises(importing.ResponseImportRefused):
        importing.commit(data, "r.csv", wave=wave, actor=None, skip_invalid=True)
    assert not Response.objects.exists()


def test_a_duplicate_header_is_refused_even_when_skipping_invalid_rows(wave: SurveyWave, world: Any) -> None:
    columns = ["unit_code", "role_group", "aw-why", "kn-how", "AW WHY"]
    data = to_csv([response(world.team)], columns)
    report = importing.preview(data, "r.csv", wave=wave)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(1, "aw-why", "aw-why and AW WHY")]
    assert "columns C, E" in report.problems[0].reason
    assert report.duplicate_columns == ["aw-why"] and report.refused
    with pytest.raises(importing.ResponseImportRefused, match="more than once"):
        importing.commit(data, "r.csv", wave=wave, actor=None, skip_invalid=True)
    assert not Response.objects.exists()


def test_an_unreadable_or_empty_file(wave: SurveyWave) -> None:
    with pytest.raises(importing.ImportFileError):
        importing.preview(b"", "r.csv", wave=wave)
    report = importing.preview(b"unit_code,role_group,aw-why\r\n", "r.csv", wave=wave)
    assert report.rows == 0 and report.refused


# --------------------------------------------------------------------------
# All or nothing, or the valid rows only


def test_errors_refuse_the_whole_file_unless_skipping_invalid_rows(wave: SurveyWave, world: Any) -> None:
    data = to_csv([response(world.team), response(world.team, aw_why="9"), response(world.camden), {"unit_code": "X", "role_group": "officer"}])
    with pytest.raises(importing.ResponseImportRefused) as refused:
        importing.commit(data, "r.csv", wave=wave, actor=None)
    assert (refused.value.report.valid, refused.value.report.invalid) == (2, 2)
    assert not Response.objects.exists() and not AudienceCell.objects.filter(imported__gt=0).exists()
    assert not AuditEntry.objects.filter(action="import").exists()

    report = importing.commit(data, "r.csv", wave=wave, actor=None, skip_invalid=True)
    assert (report.created, report.invalid) == (2, 2)
    assert report.summary() == (f"Imported 2 responses ({2 * len(QUESTION_CODES)} answers) from 4 rows; 2 rows with errors skipped.")
    assert Response.objects.count() == 2
    assert AuditEntry.objects.get(action="import").after == {"responses": 2, "file": "r.csv"}


def test_no_valid_row_is_refused_even_when_skipping(wave: SurveyWave, world: Any) -> None:
    with pytest.raises(importing.ResponseImportRefused, match="no row is valid"):
        importing.commit(to_csv([response(world.team, aw_why="9")]), "r.csv", wave=wave, actor=None, skip_invalid=True)


@pytest.mark.parametrize("status", ["draft", "scheduled", "cancelled"])
def test_only_open_or_closed_waves_take_imports(wave: SurveyWave, world: Any, status: str) -> None:
    SurveyWave.objects.filter(pk=wave.pk).update(status=status)
    with pytest.raises(ValidationError, match="open or closed"):
        importing.commit(to_csv([response(world.team)]), "r.csv", wave=wave, actor=None)
    assert not Response.objects.exists()


def test_a_closed_wave_takes_imports(wave: SurveyWave, world: Any) -> None:
    services.wave_close(wave=wave, actor=None)
    assert importing.commit(to_csv([response(world.team)]), "r.csv", wave=wave, actor=None).created == 1


def test_a_pending_upload_commits_once(wave: SurveyWave, world: Any) -> None:
    lead = world.users["lead"]
    pending = importing.response_import_stage(wave=wave, data=to_csv([response(world.team)]), filename="r.csv", actor=lead)
    with pytest.raises(ValidationError, match="uploaded this file"):
        importing.response_import_commit(pending=pending, actor=world.users["admin"], skip_invalid=False)
    report = importing.response_import_commit(pending=pending, actor=lead, skip_invalid=False)
    assert report.created == 1
    pending.refresh_from_db()
    assert pending.result is not None
    assert (pending.status, pending.file.name, pending.result["created"]) == (PendingUpload.Status.COMMITTED, "", 1)
    with pytest.raises(ValidationError, match="already been imported"):
        importing.response_import_commit(pending=pending, actor=lead, skip_invalid=False)
    assert Response.objects.count() == 1


def test_stale_pending_uploads_are_removed(wave: SurveyWave, world: Any) -> None:
    old = importing.response_import_stage(wave=wave, data=b"x", filename="old.csv", actor=world.users["lead"])
    PendingUpload.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=2))
    importing.response_import_stage(wave=wave, data=b"y", filename="new.csv", actor=world.users["lead"])
    assert list(PendingUpload.objects.values_list("original_filename", flat=True)) == ["new.csv"]


# --------------------------------------------------------------------------
# The pages


def upload(client: Any, wave: SurveyWave, data: bytes, name: str = "responses.csv") -> Any:
    return client.post(reverse("response-import", args=[wave.pk]), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_upload_preview_commit_as_lead(client: Any, wave: SurveyWave, world: Any) -> None:
    client.force_login(world.users["lead"])
    url = reverse("response-import", args=[wave.pk])
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'href="?template=1"' in content and "Import responses" in content
    for code in QUESTION_CODES:
        assert f"<code>{code}</code>" in content
    assert reverse("wave-list") in content and wave.get_absolute_url() in content  # breadcrumbs

    template = client.get(url + "?template=1")
    assert template.status_code == 200 and template["Content-Type"].startswith("text/csv")
    text = b"".join(template.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(["unit_code", "role_group", *QUESTION_CODES])
    assert len(text.splitlines()) == 2

    rows = [response(world.team), response(world.camden, "staff"), response(world.team, aw_why="7")]
    posted = upload(client, wave, to_csv(rows))
    assert posted.status_code == 302
    pending = PendingUpload.objects.get()
    assert posted["Location"] == reverse("response-import-preview", args=[wave.pk, pending.token])
    assert pending.uploaded_by == world.users["lead"]

    preview = client.get(posted["Location"])
    assert preview.status_code == 200
    content = preview.content.decode()
    assert "Out of range" in content and "aw-why" in content and world.camden.name in content
    assert not Response.objects.exists()
    problems = client.get(posted["Location"] + "?errors=csv")
    assert b"".join(problems.streaming_content).decode("utf-8-sig").splitlines()[1].startswith("4,aw-why,7,Out of range")

    refused = client.post(posted["Location"], {"mode": "all"})
    assert refused.status_code == 200 and "Choose to import the valid rows only" in refused.content.decode()
    assert not Response.objects.exists()
    assert client.post(posted["Location"], {}).status_code == 200  # no choice made

    done = client.post(posted["Location"], {"mode": "valid"})
    assert done.status_code == 302 and done["Location"] == wave.get_absolute_url()
    assert Response.objects.filter(source="import").count() == 2
    assert AudienceCell.objects.get(wave=wave, unit=world.camden, role_group="staff").imported == 1
    pending.refresh_from_db()
    assert pending.status == PendingUpload.Status.COMMITTED
    assert client.get(posted["Location"]).status_code == 404  # a committed upload is gone


def test_a_clean_file_commits_with_the_default_choice(client: Any, wave: SurveyWave, world: Any) -> None:
    client.force_login(world.users["admin"])
    posted = upload(client, wave, to_csv([response(world.team)]))
    preview = client.get(posted["Location"])
    assert "No problems found in the file." in preview.content.decode()
    assert client.post(posted["Location"], {"mode": "all"}).status_code == 302
    assert Response.objects.count() == 1


def test_upload_refuses_a_file_that_is_not_a_table(client: Any, wave: SurveyWave, world: Any) -> None:
    client.force_login(world.users["lead"])
    page = upload(client, wave, b"\x00\x01binary", "responses.csv")
    assert page.status_code == 200 and "not a CSV or XLSX file" in page.content.decode()
    page = upload(client, wave, b"unit_code\n", "responses.pdf")
    assert page.status_code == 200 and "must be a CSV or XLSX file" in page.content.decode()
    assert not PendingUpload.objects.exists()


def test_lead_of_another_programme_gets_404(client: Any, wave: SurveyWave, world: Any) -> None:
    pending = importing.response_import_stage(wave=wave, data=to_csv([response(world.team)]), filename="r.csv", actor=world.users["lead"])
    client.force_login(world.users["lead2"])
    url = reverse("response-import", args=[wave.pk])
    preview = reverse("response-import-preview", args=[wave.pk, pending.token])
    assert client.get(url).status_code == 404
    assert client.get(url + "?template=1").status_code == 404
    assert upload(client, wave, to_csv([response(world.team)])).status_code == 404
    assert client.get(preview).status_code == 404
    assert client.post(preview, {"mode": "all"}).status_code == 404
    assert not Response.objects.exists()


@pytest.mark.parametrize("persona", ["board", "champion", "auditor"])
def test_roles_that_never_change_a_wave_get_403(client: Any, wave: SurveyWave, world: Any, persona: str) -> None:
    pending = importing.response_import_stage(wave=wave, data=to_csv([response(world.team)]), filename="r.csv", actor=world.users["lead"])
    client.force_login(world.users[persona])
    assert client.get(reverse("response-import", args=[wave.pk])).status_code == 403
    assert upload(client, wave, to_csv([response(world.team)])).status_code == 403
    preview = reverse("response-import-preview", args=[wave.pk, pending.token])
    assert client.get(preview).status_code == 403
    assert client.post(preview, {"mode": "all"}).status_code == 403


def test_anonymous_is_sent_to_log_in(client: Any, wave: SurveyWave) -> None:
    response = client.get(reverse("response-import", args=[wave.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_pending_upload_belongs_to_its_uploader(client: Any, wave: SurveyWave, world: Any) -> None:
    pending = importing.response_import_stage(wave=wave, data=to_csv([response(world.team)]), filename="r.csv", actor=world.users["lead"])
    client.force_login(world.users["admin"])
    preview = reverse("response-import-preview", args=[wave.pk, pending.token])
    assert client.get(preview).status_code == 404
    assert client.post(preview, {"mode": "all"}).status_code == 404
    other = make_wave(world, title="Another pulse")
    client.force_login(world.users["lead"])
    assert client.get(reverse("response-import-preview", args=[other.pk, pending.token])).status_code == 404
    assert not Response.objects.exists()


def test_a_wave_that_is_not_open_or_closed_redirects_with_a_message(client: Any, wave: SurveyWave, world: Any) -> None:
    pending = importing.response_import_stage(wave=wave, data=to_csv([response(world.team)]), filename="r.csv", actor=world.users["lead"])
    SurveyWave.objects.filter(pk=wave.pk).update(status=SurveyWave.Status.CANCELLED)
    client.force_login(world.users["lead"])
    preview = reverse("response-import-preview", args=[wave.pk, pending.token])
    for answer in (client.get(reverse("response-import", args=[wave.pk])), upload(client, wave, to_csv([response(world.team)])),
                   client.get(preview), client.post(preview, {"mode": "all"})):
        assert answer.status_code == 302 and answer["Location"] == wave.get_absolute_url()
    messages = [str(m) for m in answer.wsgi_request._messages]
    assert any("open or closed" in m for m in messages)
    assert not Response.objects.exists()


def test_upload_refuses_a_crafted_workbook(client: Any, wave: SurveyWave, world: Any) -> None:
    """Issue 17: the shared workbook bound, on the survey responses' upload page."""
    from changeboard.core.tests import workbooks

    client.force_login(world.users["lead"])
    page = upload(client, wave, workbooks.many_cells(), "responses.xlsx")
    assert page.status_code == 200 and "The workbook is too large to import" in page.content.decode()
    assert not PendingUpload.objects.exists()
