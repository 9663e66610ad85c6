"""The requester's status page: the reference AND the email or staff number
it was raised with (POSTed, never in a URL), the same answer for an unknown
reference and a wrong email, lookups throttled like sign-in, a public
timeline without internal notes or assignee names, and a reopen within
the period's window only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.models import Role
from changeboard.conftest import make_user
from changeboard.core.redaction import RedactSurveyLinksFilter, redact
from changeboard.cutover.models import Team

from ..models import Category, Period, Query, QueryEvent
from ..services.periods import period_create
from ..services.queries import query_assign, query_comment, query_create, query_transition
from .test_public_raise import _clean_limits, anonymous  # noqa: F401  (the autouse fixture: media in tmp, limits cleared)

STATUS = "/support/status/"


@pytest.fixture
def period(world: Any) -> Period:
    return period_create(rollout_wave=world.wave_a, actor=None)


@pytest.fixture
def query(world: Any, period: Period) -> Query:
    return query_create(period=period, category=Category.objects.get(period=period, code="access"), title="No login to the new system",
                        actor=None, source=Query.Source.PUBLIC, staff=world.staff_in, priority="P2")


def look(client: Client, reference: str, identifier: str) -> Any:
    return client.post(STATUS, {"step": "lookup", "reference": reference, "identifier": identifier})


def main(response: Any) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_the_status_url_is_fixed_and_reveals_nothing(db: Any) -> None:
    assert reverse("public-status") == STATUS
    page = anonymous().get(STATUS)
    assert page.status_code == 200 and "Check the status of a query" in page.content.decode()


@pytest.mark.parametrize("identifier", ["p100001@example.police.uk", "P100001@EXAMPLE.police.uk", "100001"])
def test_the_right_reference_and_email_or_staff_number_show_the_query(world: Any, query: Query, identifier: str) -> None:
    client = anonymous()
    found = look(client, query.reference.lower(), identifier)
    assert found.status_code == 302 and found["Location"] == STATUS
    page = client.get(STATUS)
    text = main(page)
    assert page.status_code == 200 and query.reference in text and "No login to the new system" in text
    assert "New" in text and "Query raised" in text
    assert " GMT" in text or " BST" in text


def test_the_timeline_shows_status_changes_and_messages_to_the_requester_only(world: Any, query: Query) -> None:
    lead = world.users["lead"]
    team = Team.objects.create(name="Hypercare desk")
    team.members.add(lead)
    Period.objects.filter(pk=query.period_id).update(support_team=team)
    query.refresh_from_db()
    query_assign(query=query, assignee=lead, actor=lead)
    query_comment(query=query, text="Internal: password reset queue is backed up", actor=lead)
    query_comment(query=query, text="We have reset your account: try again now.", actor=lead, to_requester=True)
    query_transition(query=query, status=Query.Status.WAITING, actor=lead, comment="Did that work?")
    client = anonymous()
    look(client, query.reference, "100001")
    text = main(client.get(STATUS))
    assert "We have reset your account: try again now." in text and "Did that work?" in text
    assert "Status: assigned" in text and "Status: waiting on requester" in text
    assert "Internal: password reset queue" not in text
    assert "Lead" not in text and "Tester" not in text  # the assignee's name
    assert "waiting for information from you" in text


def test_an_unknown_reference_and_a_wrong_email_get_the_same_answer(world: Any, query: Query) -> None:
    wrong_email = look(anonymous("10.1.0.1"), query.reference, "someone.else@example.police.uk")
    wrong_number = look(anonymous("10.1.0.2"), query.reference, "200001")
    unknown = look(anonymous("10.1.0.3"), "HC-ZZZZZZZZ", "p100001@example.police.uk")
    malformed = look(anonymous("10.1.0.4"), "HC-\x00", "p100001@example.police.uk")
    assert wrong_email.status_code == wrong_number.status_code == unknown.status_code == 400
    summary = lambda r: main(r).split('govuk-error-summary__body">', 1)[1].split("</div>", 1)[0]  # noqa: E731
    assert summary(wrong_email) == summary(wrong_number) == summary(unknown)
    assert "We cannot find a query with that reference raised with that email or staff number" in main(unknown)
    assert malformed.status_code == 400
    assert anonymous().get(STATUS).status_code == 200  # nothing kept in anyone's session


def test_lookups_are_throttled_per_address_even_for_a_right_answer(world: Any, query: Query, settings: Any) -> None:
    settings.HYPERCARE_STATUS_FAILURES_PER_IP = 3
    client = anonymous("10.2.0.1")
    for n in range(3):
        assert look(client, f"HC-AAAAAAA{n + 2}", "p100001@example.police.uk").status_code == 400
    locked = look(client, query.reference, "p100001@example.police.uk")
    assert locked.status_code == 429 and int(locked["Retry-After"]) >= 1
    assert "Too many unsuccessful attempts" in main(locked) and query.reference in main(locked)  # what was typed is kept
    # Another address is unaffected.
    assert look(anonymous("10.2.0.2"), query.reference, "p100001@example.police.uk").status_code == 302


def test_lookups_are_throttled_per_reference_from_any_address(world: Any, query: Query, settings: Any) -> None:
    settings.HYPERCARE_STATUS_FAILURES_PER_REFERENCE = 2
    for n in range(2):
        assert look(anonymous(f"10.3.0.{n}"), query.reference, f"guess{n}@example.police.uk").status_code == 400
    assert look(anonymous("10.3.0.9"), query.reference, "p100001@example.police.uk").status_code == 429


def _resolved(world: Any, query: Query, days_ago: float) -> Query:
    lead = world.users["lead"]
    at = timezone.now() - dt.timedelta(days=days_ago)
    query_transition(query=query, status=Query.Status.IN_PROGRESS, actor=lead, at=at - dt.timedelta(hours=1))
    return query_transition(query=query, status=Query.Status.RESOLVED, actor=lead, comment="Fixed: you now have access.", at=at)


def test_the_requester_reopens_a_query_resolved_within_the_window(world: Any, query: Query) -> None:
    _resolved(world, query, days_ago=3)
    client = anonymous()
    look(client, query.reference, "100001")
    page = main(client.get(STATUS))
    assert "Reopen my query" in page and "Fixed: you now have access." in page
    empty = client.post(STATUS, {"step": "reopen", "reason": ""})
    assert empty.status_code == 400 and "Tell us why the problem is not solved" in main(empty)
    done = client.post(STATUS, {"step": "reopen", "reason": "It stopped working again this morning."})
    assert done.status_code == 302
    query.refresh_from_db()
    assert query.status == Query.Status.REOPENED and query.resolved_at is None
    event = query.events.filter(kind=QueryEvent.Kind.STATUS).order_by("-at", "-pk").first()
    assert event is not None and (event.to_value, event.actor, event.text) == ("reopened", None, "It stopped working again this morning.")
    page = main(client.get(STATUS))
    assert "Status: reopened" in page and "It stopped working again this morning." in page and "Reopen my query" not in page


def test_no_reopen_after_the_window(world: Any, query: Query) -> None:
    _resolved(world, query, days_ago=query.period.reopen_days + 1)
    client = anonymous()
    look(client, query.reference, "100001")
    page = main(client.get(STATUS))
    assert "Reopen my query" not in page and "can no longer be reopened" in page
    refused = client.post(STATUS, {"step": "reopen", "reason": "Still broken"})
    assert refused.status_code == 400 and "raise a new one" in main(refused)
    query.refresh_from_db()
    assert query.status == Query.Status.RESOLVED


def test_reopen_without_a_found_query_does_nothing(world: Any, query: Query) -> None:
    _resolved(world, query, days_ago=1)
    response = anonymous().post(STATUS, {"step": "reopen", "reason": "Still broken"})
    assert response.status_code == 302
    query.refresh_from_db()
    assert query.status == Query.Status.RESOLVED


def test_check_another_forgets_the_query(world: Any, query: Query) -> None:
    client = anonymous()
    look(client, query.reference, "100001")
    assert query.reference in main(client.get(STATUS))
    assert client.post(STATUS, {"step": "forget"}).status_code == 302
    assert query.reference not in main(client.get(STATUS))


def test_a_champion_signed_in_sees_the_same_public_page(world: Any, query: Query) -> None:
    champion = make_user("champ2", Role.CHAMPION, units=[world.westminster])
    client = Client()
    client.force_login(champion)
    assert look(client, query.reference, "someone@example.police.uk").status_code == 400


# ---------------------------------------------------------------- the token never logged


def test_raise_links_are_redacted_from_logs(world: Any, period: Period) -> None:
    import logging

    token = period.public_token
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Bad Request: %s", (f"/support/{token}/",), None)
    RedactSurveyLinksFilter().filter(record)
    assert token not in record.getMessage() and "/support/[redacted]/" in record.getMessage()
    line = f'"POST /support/{token}/ HTTP/1.1" 302 - "https://cb.example/support/{token}/?utm=x"'
    assert token not in redact(line) and redact(line).count("/support/[redacted]/") == 2
    # The pages without a token stay readable.
    assert redact("GET /support/status/ HTTP/1.1") == "GET /support/status/ HTTP/1.1"
    assert redact("GET /support/raised/") == "GET /support/raised/"


def test_the_gunicorn_access_line_is_redacted(world: Any, period: Period) -> None:
    from types import SimpleNamespace

    from changeboard.core.redaction import GunicornLogger

    token = period.public_token
    logger = GunicornLogger.__new__(GunicornLogger)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/support/{token}/", "PATH_INFO": f"/support/{token}/", "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1", "HTTP_REFERER": f"https://x/support/{token}/"}
    req = SimpleNamespace(headers=[], method="GET", path=f"/support/{token}/", query="", uri=f"/support/{token}/", version=(1, 1))
    resp = SimpleNamespace(status="200 OK", status_code=200, headers=[], sent=10, response_length=10)
    logger.cfg = SimpleNamespace(logconfig_dict={}, access_log_format="", is_ssl=False)
    atoms = logger.atoms(resp, req, environ, dt.timedelta(seconds=0.01))
    assert not [value for value in atoms.values() if isinstance(value, str) and token in value]
