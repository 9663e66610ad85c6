"""The action log: raising and updating actions (links, sources, overdue),
the log page (filters, export, overdue in words), raising an action
pre-filled from a score, a criterion, a hotspot or a review, and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from changeboard.core.models import AuditEntry

from ..models import Action, Criterion
from ..services.actions import action_create, action_update, overdue_actions
from .helpers import closed_wave
from .test_reviews import go_no_go

COVERED_NAMES: set[str] = set()  # the matrix is in test_actions_permissions.py


def today() -> dt.date:
    return timezone.localdate()


def make(world: Any, **fields: Any) -> Action:
    values: dict[str, Any] = {"programme": world.programme_a, "title": "Brief the night shift", "due_date": today() + dt.timedelta(days=7),
                              "actor": world.users["lead"]}
    values.update(fields)
    return action_create(**values)


def late(action: Action, days: int = 3) -> Action:
    """Actions cannot be raised already late: move the due date afterwards."""
    Action.objects.filter(pk=action.pk).update(due_date=today() - dt.timedelta(days=days))
    action.refresh_from_db()
    return action


# ---------------------------------------------------------------- services


def test_raising_an_action_is_audited(world: Any) -> None:
    action = make(world, owner=world.users["champion"], unit=world.westminster, description="  Ten minutes at parade  ")
    assert (action.source, action.status, action.created_by, action.description) == ("manual", "open", world.users["lead"], "Ten minutes at parade")
    entry = AuditEntry.objects.get(object_type="readiness.action", action="create")
    assert entry.after is not None
    assert entry.after["title"] == "Brief the night shift"


@pytest.mark.parametrize(("source", "links", "field"), [
    ("criterion", {}, "criterion"),
    ("review", {}, "review"),
    ("score", {}, "survey_wave"),
    ("hotspot", {"hotspot_week": dt.date(2027, 1, 4)}, "unit"),
    ("hotspot", {"unit": "westminster"}, "hotspot_week"),
    ("manual", {"hotspot_week": dt.date(2027, 1, 4)}, "hotspot_week"),
    ("nonsense", {}, "source"),
])
def test_the_source_must_match_the_link(world: Any, source: str, links: dict[str, Any], field: str) -> None:
    if links.get("unit") == "westminster":
        links = {**links, "unit": world.westminster}
    with pytest.raises(ValidationError) as exc:
        make(world, source=source, **links)
    assert field in exc.value.message_dict


def test_linked_objects_must_belong_to_the_programme(world: Any) -> None:
    criterion_b = Criterion.objects.create(programme=world.programme_b, title="Case files migrated")
    wave_b = closed_wave(world.programme_b, "BBB pulse", today() - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        make(world, source="criterion", criterion=criterion_b)
    assert "another programme" in exc.value.message_dict["criterion"][0]
    with pytest.raises(ValidationError) as exc:
        make(world, source="score", survey_wave=wave_b)
    assert "survey_wave" in exc.value.message_dict
    # The right programme is fine.
    assert make(world, programme=world.programme_b, source="criterion", criterion=criterion_b, actor=world.users["lead2"]).pk


def test_links_of_each_source_are_kept(world: Any) -> None:
    criterion = Criterion.objects.create(programme=world.programme_a, title="Rotas ready")
    survey = closed_wave(world.programme_a, "AAA pulse", today() - dt.timedelta(days=3))
    review = go_no_go(world)
    assert make(world, source="criterion", criterion=criterion, unit=world.westminster).criterion == criterion
    assert make(world, source="score", survey_wave=survey).survey_wave == survey
    assert make(world, source="hotspot", unit=world.westminster, hotspot_week=dt.date(2027, 1, 4)).hotspot_week == dt.date(2027, 1, 4)
    assert make(world, source="review", review=review).review == review


def test_a_new_action_cannot_be_late_nor_owned_by_a_disabled_account(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        make(world, due_date=today() - dt.timedelta(days=1))
    assert "due_date" in exc.value.message_dict
    world.users["lead2"].is_active = False
    world.users["lead2"].save()
    with pytest.raises(ValidationError) as exc:
        make(world, owner=world.users["lead2"])
    assert "owner" in exc.value.message_dict


def test_status_changes_set_and_clear_closed_at(world: Any) -> None:
    action = make(world)
    action = action_update(action=action, status=Action.Status.DONE, actor=world.users["board"])
    assert action.closed_at is not None
    closed_at = action.closed_at
    action = action_update(action=action, status=Action.Status.CANCELLED, actor=world.users["board"])
    assert action.closed_at == closed_at  # still closed since then
    action = action_update(action=action, status=Action.Status.IN_PROGRESS, actor=world.users["board"])
    assert action.closed_at is None
    updates = AuditEntry.objects.filter(object_type="readiness.action", action="update").order_by("pk")
    assert [cast(dict[str, Any], e.after)["status"] for e in updates] == ["done", "cancelled", "in_progress"]


def test_the_link_an_action_was_raised_from_is_fixed(world: Any) -> None:
    action = make(world)
    with pytest.raises(ValidationError):
        action_update(action=action, source="review", actor=world.users["lead"])
    with pytest.raises(ValidationError):
        action_update(action=action, programme=world.programme_b, actor=world.users["lead"])


def test_overdue_means_open_or_in_progress_and_past_due(world: Any) -> None:
    overdue_open = late(make(world, title="Open and late"))
    overdue_started = late(action_update(action=make(world, title="Started and late"), status="in_progress", actor=None))
    late(action_update(action=make(world, title="Done late"), status="done", actor=None))
    late(make(world, title="Due today"), days=0)
    make(world, title="Not yet due")
    found = overdue_actions(Action.objects.all())
    assert {a.pk for a in found} == {overdue_open.pk, overdue_started.pk}
    assert {a.pk for a in Action.objects.all() if a.overdue} == {overdue_open.pk, overdue_started.pk}


# ---------------------------------------------------------------- the log page


def test_the_log_filters_and_labels_overdue_in_words(client: Any, world: Any) -> None:
    late(make(world, title="Late one"))
    make(world, title="On time one")
    make(world, title="Other programme", programme=world.programme_b, actor=world.users["lead2"])
    client.force_login(world.users["board"])
    page = client.get(reverse("action-list")).content.decode()
    assert "Late one" in page and "govuk-tag--red\">Overdue</strong>" in page and "Other programme" in page
    only = client.get(reverse("action-list"), {"overdue": "on"}).content.decode()
    assert "Late one" in only and "On time one" not in only
    mine = client.get(reverse("action-list"), {"programme": world.programme_b.pk}).content.decode()
    assert "Other programme" in mine and "Late one" not in mine
    sorted_page = client.get(reverse("action-list"), {"sort": "-due_date"}).content.decode()
    assert sorted_page.index("On time one") < sorted_page.index("Late one")


def test_the_log_exports_the_filtered_rows(client: Any, world: Any) -> None:
    late(make(world, title="=HYPERLINK(1)"))
    make(world, title="On time one")
    client.force_login(world.users["lead"])
    response = client.get(reverse("action-list"), {"export": "csv", "overdue": "on"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:7] == ["Programme", "Action", "Unit", "Owner (username)", "Due", "Status", "Overdue"]
    assert len(rows) == 2 and rows[1][1] == "'=HYPERLINK(1)" and rows[1][6] == "Overdue" and rows[1][5] == "Open"
    xlsx = client.get(reverse("action-list"), {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_lead_sees_only_their_programmes_actions(client: Any, world: Any) -> None:
    make(world, title="Programme A action")
    make(world, title="Programme B action", programme=world.programme_b, actor=world.users["lead2"])
    client.force_login(world.users["lead"])
    page = client.get(reverse("action-list")).content.decode()
    assert "Programme A action" in page and "Programme B action" not in page


# ---------------------------------------------------------------- raising from elsewhere


def test_raising_from_a_criterion_pre_fills_and_saves_the_link(client: Any, world: Any) -> None:
    criterion = Criterion.objects.create(programme=world.programme_a, title="Rotas ready")
    client.force_login(world.users["lead"])
    url = reverse("action-create", args=[world.programme_a.pk]) + f"?source=criterion&criterion={criterion.pk}&unit={world.westminster.pk}"
    page = client.get(url).content.decode()
    assert "Readiness criterion" in page and "Rotas ready in Westminster" in page
    response = client.post(url, {"title": "Finish the rotas", "unit": world.westminster.pk, "due_date": (today() + dt.timedelta(days=5)).isoformat()})
    action = Action.objects.get(title="Finish the rotas")
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    assert (action.source, action.criterion, action.unit) == ("criterion", criterion, world.westminster)


@pytest.mark.parametrize("kind", ["score", "hotspot", "review"])
def test_raising_from_a_score_a_hotspot_or_a_review(client: Any, world: Any, kind: str) -> None:
    survey = closed_wave(world.programme_a, "AAA pulse", today() - dt.timedelta(days=3))
    review = go_no_go(world)
    query = {"score": f"source=score&survey_wave={survey.pk}&unit={world.westminster.pk}",
             "hotspot": f"source=hotspot&unit={world.westminster.pk}&week=2027-01-04",
             "review": f"source=review&review={review.pk}"}[kind]
    client.force_login(world.users["board"])
    url = reverse("action-create", args=[world.programme_a.pk]) + "?" + query
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": f"From {kind}", "unit": world.westminster.pk if kind != "review" else "",
                                 "due_date": (today() + dt.timedelta(days=5)).isoformat()})
    assert response.status_code == 302
    action = Action.objects.get(title=f"From {kind}")
    assert action.source == kind and action.created_by == world.users["board"]
    assert {"score": action.survey_wave_id == survey.pk, "hotspot": action.hotspot_week == dt.date(2027, 1, 4),
            "review": action.review_id == review.pk}[kind]


@pytest.mark.parametrize("query", [
    "source=criterion&criterion={b_criterion}", "source=review&review=999999", "source=hotspot&unit={westminster}&week=not-a-date",
    "source=hotspot&week=2027-01-04", "source=score&survey_wave=abc", "source=unknown", "unit={camden}",
])
def test_links_out_of_scope_or_malformed_are_not_found(client: Any, world: Any, query: str) -> None:
    b_criterion = Criterion.objects.create(programme=world.programme_b, title="Case files")
    client.force_login(world.users["admin"])
    url = reverse("action-create", args=[world.programme_a.pk]) + "?" + query.format(
        b_criterion=b_criterion.pk, westminster=world.westminster.pk, camden=world.camden.pk)
    if query.startswith("unit="):
        assert client.get(url).status_code == 200  # an admin sees every unit
        return
    assert client.get(url).status_code == 404


def test_the_create_form_keeps_what_was_typed(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    response = client.post(reverse("action-create", args=[world.programme_a.pk]),
                           {"title": "Kept title", "description": "Kept words", "due_date": (today() - dt.timedelta(days=1)).isoformat()})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and "today or in the future" in body
    assert 'value="Kept title"' in body and "Kept words" in body


def test_changing_an_action(client: Any, world: Any) -> None:
    action = make(world)
    client.force_login(world.users["board"])
    response = client.post(reverse("action-edit", args=[action.pk]), {"title": "Brief every shift", "status": "done",
                                                                      "due_date": action.due_date.isoformat()})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.status) == ("Brief every shift", "done") and action.closed_at is not None
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Brief every shift" in page and "Done" in page


# ---------------------------------------------------------------- API


def test_the_api_raises_filters_and_updates(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    created = client.post(reverse("api-action-list"), {"programme": world.programme_a.pk, "title": "API action",
                                                       "due_date": (today() + dt.timedelta(days=3)).isoformat(), "unit": world.westminster.pk},
                          content_type="application/json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["source"] == "manual" and data["status"] == "open" and data["overdue"] is False
    late(Action.objects.get(pk=data["id"]))
    make(world, title="Not late")
    listed = client.get(reverse("api-action-list"), {"overdue": "true"}).json()["results"]
    assert [a["title"] for a in listed] == ["API action"] and listed[0]["overdue"] is True
    patched = client.patch(reverse("api-action-detail", args=[data["id"]]), {"status": "done"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["closed_at"] is not None
    fixed = client.patch(reverse("api-action-detail", args=[data["id"]]), {"source": "review"}, content_type="application/json")
    assert fixed.status_code == 200 and fixed.json()["source"] == "manual"  # read-only once raised


def test_the_api_refuses_links_to_another_programme(client: Any, world: Any) -> None:
    criterion = Criterion.objects.create(programme=world.programme_a, title="Rotas ready")
    client.force_login(world.users["admin"])
    body = {"programme": world.programme_b.pk, "title": "Wrong", "due_date": (today() + dt.timedelta(days=3)).isoformat(),
            "source": "criterion", "criterion": criterion.pk}
    response = client.post(reverse("api-action-list"), body, content_type="application/json")
    assert response.status_code == 400 and "criterion" in response.json()


def test_the_log_does_not_query_per_row(client: Any, world: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users["board"])
    make(world, owner=world.users["lead"], unit=world.westminster)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("action-list"))
    for n in range(12):
        late(make(world, title=f"Action {n}", owner=world.users["champion"], unit=world.team))
    with CaptureQueriesContext(connection) as many:
        assert "Action 11" in client.get(reverse("action-list")).content.decode()
    assert len(many.captured_queries) == len(one.captured_queries)
