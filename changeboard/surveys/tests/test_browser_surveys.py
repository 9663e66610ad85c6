"""Browser journeys for readiness surveys: a change lead builds and launches
a wave, staff answer on a phone (with and without JavaScript, keyboard
only for some questions), the lead watches the response rate move, and an
administrator changes the survey rules and reads the outbox. axe-core runs
on every page visited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD, make_staff
from changeboard.core.models import OutboxMessage
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.surveys import services
from changeboard.surveys.models import Answer, Deferral, Instrument, Invitation, Question, Response, SurveyPolicy, SurveyWave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
AUDIENCE = 7  # world.staff_in and the six made by `team_staff`, all in world.team
TAB_LIMIT = 120


def ensure_default_instrument() -> Instrument:
    """Transactional (browser) tests flush the rows the data migration made."""
    if services.default_instrument() is None:
        from django.apps import apps

        import_module("changeboard.surveys.migrations.0002_default_instrument").create(apps, None)
    instrument = services.default_instrument()
    assert instrument is not None
    return instrument


@pytest.fixture
def team_staff(world: Any) -> list[Any]:
    """Six more people in Response Team 1, so the team's rates are not suppressed."""
    ensure_default_instrument()
    return [make_staff(f"30000{n}", world.team, first_name=f"Member{n}") for n in range(1, 7)]


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Pages in fresh browser contexts (other devices, another person), closed at the end."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(base_url=live_server.url, **{"viewport": {"width": 1280, "height": 900}, **options})
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def launched_wave(world: Any, title: str = "Shared services readiness pulse") -> SurveyWave:
    """A census wave of world.team, opened today with its invitations sent."""
    today = timezone.localdate()
    wave = services.wave_create(
        programme=world.programme_a, instrument=ensure_default_instrument(), title=title, opens_on=today,
        closes_on=today + dt.timedelta(days=13), units=[world.team], audience_source=SurveyWave.Source.MANUAL,
        actor=world.users["lead"],
    )
    # Outside any atomic block (transactional test) the launch commits, its
    # on_commit hook runs and the tests' immediate task backend sends the
    # wave there and then: no call to services.open_due() is needed.
    services.wave_launch(wave=wave, actor=world.users["lead"])
    wave.refresh_from_db()
    assert wave.status == SurveyWave.Status.OPEN
    return wave


def active(page: Any) -> dict[str, Any]:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName, id: e.id, type: e.type || '', name: e.name || '', text: (e.innerText || '').trim()}; }"
    )


def tab_until(page: Any, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Press Tab (keyboard only) until the focused element is the one wanted."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        element = active(page)
        if wanted(element):
            return element
    raise AssertionError(f"Tab never reached the element on {page.url}; last focus {active(page)}")


def axe_without_javascript(checker: Any, nojs: Any) -> None:
    """axe-core needs JavaScript, and Playwright cannot evaluate in a context
    that has it disabled: check the markup the no-JavaScript page received,
    less its scripts, in a page of the same site."""
    checker.goto("/login/", wait_until="commit")
    checker.set_content(re.sub(r"<script\b.*?</script>", "", nojs.content(), flags=re.DOTALL))
    assert checker.title() == nojs.title()
    check_axe(checker)


def token_of(wave: SurveyWave, **filters: Any) -> str:
    token = Invitation.objects.filter(waves=wave, used=False, **filters).order_by("pk").values_list("token", flat=True).first()
    assert token is not None
    return token


# ---------------------------------------------------------------- 1 and 4: build and launch


def test_lead_builds_and_launches_a_wave_submitting_the_form_by_keyboard(page: Any, world: Any, team_staff: list[Any]) -> None:
    today = timezone.localdate()
    sign_in(page, "lead", PASSWORD)
    visit(page, "/surveys/")
    page.get_by_role("button", name="Build a survey wave").click()
    page.wait_for_url(re.compile(r"/surveys/new/$"))
    check_axe(page)

    page.get_by_label("Programme", exact=True).select_option(str(world.programme_a.pk))
    page.get_by_label("Title").fill("Shared services readiness pulse")
    page.get_by_label("Instrument").select_option(label="Readiness survey (v1)")
    page.get_by_label("Opens on").fill(today.isoformat())
    page.get_by_label("Closes on").fill((today + dt.timedelta(days=13)).isoformat())
    page.get_by_label("Units and roles chosen here").check()
    page.get_by_label("Units (optional)").select_option([str(world.team.pk)])
    page.get_by_label("Census: everyone in the audience").check()

    # Keyboard only from here: Tab on through the remaining fields to "Save wave", then Enter.
    passed = tab_until(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "Save wave")
    assert passed["type"] == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/surveys/\d+/$"))
    check_axe(page)
    wave = SurveyWave.objects.get(title="Shared services readiness pulse")
    assert wave.status == SurveyWave.Status.DRAFT and list(wave.units.all()) == [world.team]
    assert wave.instrument.is_default and wave.audience_source == SurveyWave.Source.MANUAL
    audience = page.locator("p", has_text="If launched today").inner_text()
    assert f"{AUDIENCE} of {AUDIENCE} eligible people in 1 teams" in audience
    assert not Invitation.objects.exists()

    page.get_by_role("button", name="Launch wave").click()
    page.wait_for_url(re.compile(rf"/surveys/{wave.pk}/confirm/launch/$"))
    check_axe(page)
    assert not Invitation.objects.exists()  # issue 18: never one click
    page.get_by_role("button", name="Yes, launch the wave").focus()
    page.keyboard.press("Enter")  # keyboard-operable
    page.wait_for_url(re.compile(rf"/surveys/{wave.pk}/$"))
    page.wait_for_load_state()
    check_axe(page)
    # The launch enqueues the sending task with transaction.on_commit: the live
    # server's request commits the launch, and the immediate task backend of
    # the tests sends the wave before the redirect, so nothing else is needed.
    wave.refresh_from_db()
    assert wave.status == SurveyWave.Status.OPEN and wave.sent_at is not None
    assert Invitation.objects.filter(waves=wave).count() == AUDIENCE
    assert OutboxMessage.objects.filter(kind="survey-invitation").count() == AUDIENCE
    assert "Wave launched" in page.content()
    assert page.locator(".govuk-summary-list strong.govuk-tag").inner_text() == "Open"
    rates = page.locator("#rates")
    assert f"{AUDIENCE} invited" in re.sub(r"\s+", " ", rates.locator("p").first.inner_text())
    row = rates.get_by_role("row", name=re.compile("Response Team 1"))
    assert row.get_by_role("cell").all_inner_texts()[:4] == [str(AUDIENCE), "0", "0", "0.0%"]


# ---------------------------------------------------------------- 2: answering on a phone


def test_member_of_staff_answers_on_a_phone_partly_by_keyboard(world: Any, team_staff: list[Any], new_page: Callable[..., Any]) -> None:
    wave = launched_wave(world)
    token = token_of(wave)
    prefix = f"w{wave.pk}-"
    phone = new_page(**PHONE)

    visit(phone, f"/s/{token}/")
    assert phone.get_by_role("heading", level=1).inner_text() == "How ready do you feel?"
    # Keyboard only for the first two questions: Tab into a radio group, Space and arrow keys.
    tab_until(phone, lambda e: e["type"] == "radio" and e["name"] == f"{prefix}aw-why")
    phone.keyboard.press("Space")
    for _ in range(3):
        phone.keyboard.press("ArrowDown")
    assert phone.locator(f"input[name='{prefix}aw-why']:checked").get_attribute("value") == "4"
    phone.keyboard.press("Tab")
    assert active(phone)["name"] == f"{prefix}aw-what"
    phone.keyboard.press("Space")
    phone.keyboard.press("ArrowDown")
    assert phone.locator(f"input[name='{prefix}aw-what']:checked").get_attribute("value") == "2"
    # The rest by touch.
    phone.locator(f"#{prefix}de-support-5").tap()
    phone.locator(f"#{prefix}overall-7").tap()
    phone.locator(f"#{prefix}one-thing").fill("More time on the training system before go-live.")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my answers").tap()
    assert phone.get_by_role("heading", level=1).inner_text() == "Thank you"
    check_axe(phone)

    response = Response.objects.get(wave=wave)
    answers = {a.question.code: (a.value, a.text) for a in Answer.objects.filter(response=response).select_related("question")}
    assert answers == {"aw-why": (4, ""), "aw-what": (2, ""), "de-support": (5, ""), "overall": (7, ""),
                       "one-thing": (None, "More time on the training system before go-live.")}
    assert Invitation.objects.get(token=token).used

    visit(phone, f"/s/{token}/")
    assert phone.get_by_role("heading", level=1).inner_text() == "You have already answered this survey"
    phone.reload()
    check_axe(phone)
    assert "You have already answered this survey" in phone.content()
    assert Response.objects.filter(wave=wave).count() == 1


def test_survey_works_without_javascript(world: Any, team_staff: list[Any], new_page: Callable[..., Any]) -> None:
    wave = launched_wave(world)
    token = token_of(wave)
    prefix = f"w{wave.pk}-"
    phone = new_page(java_script_enabled=False, **PHONE)
    checker = new_page(**PHONE)

    response = phone.goto(f"/s/{token}/")
    assert response is not None and response.status == 200
    axe_without_javascript(checker, phone)
    phone.locator(f"#{prefix}kn-how-4").check()
    phone.locator(f"#{prefix}overall-3").check()
    phone.locator(f"#{prefix}one-thing").fill("A briefing from my sergeant.")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my answers").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Thank you"
    axe_without_javascript(checker, phone)
    stored = Answer.objects.filter(response__wave=wave).select_related("question")
    assert {a.question.code: (a.value, a.text) for a in stored} == {
        "kn-how": (4, ""), "overall": (3, ""), "one-thing": (None, "A briefing from my sergeant.")}


def test_unknown_and_closed_links_get_the_same_page(world: Any, team_staff: list[Any], new_page: Callable[..., Any]) -> None:
    wave = launched_wave(world)
    phone = new_page(**PHONE)

    response = phone.goto("/s/not-a-real-token-at-all/")
    assert response is not None and response.status == 404
    check_axe(phone)
    unknown_text = phone.locator("main").inner_text()
    assert phone.get_by_role("heading", level=1).inner_text() == "This survey link cannot be used"

    token = token_of(wave)
    services.wave_close(wave=wave, actor=world.users["lead"])
    response = phone.goto(f"/s/{token}/")
    assert response is not None and response.status == 404
    check_axe(phone)
    assert phone.get_by_role("heading", level=1).inner_text() == "This survey link cannot be used"
    assert phone.locator("main").inner_text() == unknown_text  # nothing tells a closed link from a guessed one


# ---------------------------------------------------------------- 3: the lead follows responses; questionnaires; rules; outbox


def test_lead_sees_the_response_rate_move(page: Any, world: Any, team_staff: list[Any], new_page: Callable[..., Any]) -> None:
    wave = launched_wave(world)
    # A second wave of the same programme reaching the same people inside the
    # contact window defers all of them.
    later = launched_wave(world, title="Second pulse")
    assert Deferral.objects.filter(wave=later).count() == AUDIENCE

    sign_in(page, "lead", PASSWORD)
    visit(page, f"/surveys/{wave.pk}/")
    row = page.locator("#rates").get_by_role("row", name=re.compile("Response Team 1"))
    assert row.get_by_role("cell").all_inner_texts()[:4] == [str(AUDIENCE), "0", "0", "0.0%"]

    # One answer through the page, four more straight through the service.
    phone = new_page(**PHONE)
    visit(phone, f"/s/{token_of(wave)}/")
    phone.locator(f"#w{wave.pk}-re-help-5").tap()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my answers").tap()
    assert phone.get_by_role("heading", level=1).inner_text() == "Thank you"
    check_axe(phone)
    for _ in range(4):
        assert services.submit(token=token_of(wave), data={f"w{wave.pk}-overall": "6"}) == 1

    page.reload()
    check_axe(page)
    summary = re.sub(r"\s+", " ", page.locator("#rates p").first.inner_text())
    assert f"{AUDIENCE} invited, 5 responded through their link (71.4%)" in summary
    row = page.locator("#rates").get_by_role("row", name=re.compile("Response Team 1"))
    assert row.get_by_role("cell").all_inner_texts()[:4] == [str(AUDIENCE), "5", "0", "71.4%"]
    group = page.locator("#rates").get_by_role("row", name=re.compile("Police officers"))
    assert group.get_by_role("cell").all_inner_texts() == [str(AUDIENCE), "5", "71.4%"]

    csv_link = page.get_by_role("link", name="CSV", exact=True)
    href = csv_link.get_attribute("href")
    assert href == f"/surveys/{wave.pk}/rates/?export=csv&unit={world.team.pk}"  # the table shown: the team's own rows
    download = page.request.get(href)
    assert download.ok and "text/csv" in download.headers["content-type"]
    assert "All units,7,5,0,71.4" in download.text().replace("\r", "")

    visit(page, f"/surveys/{wave.pk}/deferred/")
    visit(page, f"/surveys/{later.pk}/")
    page.get_by_role("link", name="See who and why").click()
    page.wait_for_url(re.compile(rf"/surveys/{later.pk}/deferred/"))
    check_axe(page)
    assert page.locator("table tbody tr").count() == AUDIENCE
    assert page.get_by_role("row", name=re.compile("Member1 Person300001")).is_visible()

    # The questionnaires: a programme's own, then a bank question added to it.
    visit(page, "/surveys/questionnaires/")
    page.get_by_role("button", name="New questionnaire for a programme").click()
    page.wait_for_url(re.compile(r"/surveys/questionnaires/new/$"))
    check_axe(page)
    page.get_by_label("Programme", exact=True).select_option(str(world.programme_a.pk))
    page.get_by_label("Name").fill("Shared services pulse")
    page.get_by_label("Start from").select_option(label="No questions (start empty)")
    page.get_by_role("button", name="Create questionnaire").click()
    page.wait_for_url(re.compile(r"/surveys/questionnaires/\d+/$"))
    check_axe(page)
    own = Instrument.objects.get(name="Shared services pulse")
    assert own.programme == world.programme_a and not own.items.exists()
    bank = Question.objects.get(code="aw-why")
    page.get_by_label("Question").select_option(str(bank.pk))
    page.get_by_role("button", name="Add question").click()
    page.wait_for_load_state()
    check_axe(page)
    assert list(own.questions.all()) == [bank]
    assert "Question added." in page.content()
    page.get_by_role("link", name=re.compile("Write a new question for AAA")).click()
    page.wait_for_url(re.compile(rf"/surveys/questionnaires/{own.pk}/questions/new/$"))
    check_axe(page)
    visit(page, f"/surveys/questionnaires/{wave.instrument_id}/")
    visit(page, "/surveys/rules/")  # read only for a change lead
    assert page.get_by_role("button", name="Save rules").count() == 0


def test_admin_changes_the_survey_rules_and_reads_the_outbox(page: Any, world: Any, team_staff: list[Any]) -> None:
    launched_wave(world)
    sign_in(page, "admin", PASSWORD)
    visit(page, "/surveys/rules/")
    window = page.get_by_label("Contact window (days)")
    assert window.input_value() == "14"
    window.fill("21")
    page.get_by_role("button", name="Save rules").click()
    page.wait_for_load_state()
    check_axe(page)
    assert "Survey rules saved" in page.content()
    assert SurveyPolicy.current().contact_window_days == 21

    visit(page, "/outbox/")
    assert page.locator("table tbody tr").count() == AUDIENCE
    page.locator("table tbody tr").first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/outbox/\d+/$"))
    check_axe(page)
    assert page.get_by_role("heading", level=1).inner_text() == "A short survey about changes to your work"
    assert "/s/" in page.locator("pre").inner_text()


def test_lead_imports_responses_from_another_tool(page: Any, world: Any, team_staff: list[Any], tmp_path: Any) -> None:
    """Upload a forms tool's CSV, read the preview (with its per-row error),
    import the valid rows: the wave's counts take them in."""
    wave = launched_wave(world)
    codes = [q.code for q in wave.instrument.ordered_questions() if q.kind == "likert"]
    rows = ["unit_code,role_group," + ",".join(codes)]
    rows += [f"{world.team.code},officer," + ",".join(["4"] * len(codes)) for _ in range(5)]
    rows.append("NO-SUCH-UNIT,officer," + ",".join(["4"] * len(codes)))
    upload = tmp_path / "forms-export.csv"
    upload.write_text("\n".join(rows) + "\n", encoding="utf-8")

    sign_in(page, "lead", PASSWORD)
    visit(page, f"/surveys/{wave.pk}/")
    page.get_by_role("button", name="Import responses").click()
    page.wait_for_url(re.compile(rf"/surveys/{wave.pk}/import/$"))
    check_axe(page)
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(rf"/surveys/{wave.pk}/import/[0-9a-f-]+/$"))
    check_axe(page)
    assert "NO-SUCH-UNIT" in page.content()
    page.get_by_label(re.compile("valid rows", re.I)).check()
    page.get_by_role("button", name="Commit import").click()
    page.wait_for_load_state()
    check_axe(page)
    assert Response.objects.filter(wave=wave, source=Response.Source.IMPORT).count() == 5


def test_board_reads_a_programmes_readiness_scores(page: Any, world: Any, team_staff: list[Any]) -> None:
    """The scores page after a wave has closed: the grid, the element table
    for a chosen wave and the download, with axe on each."""
    wave = launched_wave(world)
    for invitation in Invitation.objects.filter(waves=wave):
        section = services.survey_sections(invitation)
        services.submit(token=invitation.token, data={services.field_name(w, q): "4" for w, qs in section for q in qs if q.kind != "text"})
    services.wave_close(wave=wave, actor=None)
    sign_in(page, "board", PASSWORD)
    visit(page, f"/readiness/programmes/{world.programme_a.pk}/scores/")
    assert "75" in page.content()  # every element 4.0: index 25 × (4 − 1)
    visit(page, f"/readiness/programmes/{world.programme_a.pk}/scores/?wave={wave.pk}&unit={world.westminster.pk}")
