"""Journey pages: the list, creating and changing a journey, the grid with
its lane chart and table, stage/step/touchpoint forms, moves, deletes, and
the XLSX and PDF exports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ..models import Journey, Stage, Step, Touchpoint
from ..services import journeys as services
from .journey_data import Data, build, survey


@pytest.fixture
def d(world: Any) -> Data:
    return build(world)


@pytest.fixture
def lead(client: Any, d: Data) -> Any:
    client.force_login(d.world.users["lead"])
    return client


def test_list_shows_journeys_in_scope_and_filters_by_programme(client: Any, d: Data) -> None:
    client.force_login(d.world.users["lead2"])
    body = client.get(reverse("journey-list")).content.decode()
    assert "Booking a detained person in" not in body
    assert "New journey" in body
    client.force_login(d.world.users["board"])
    body = client.get(reverse("journey-list")).content.decode()
    assert "Booking a detained person in" in body and "New journey" not in body
    body = client.get(reverse("journey-list"), {"programme": d.world.programme_b.pk}).content.decode()
    assert "Booking a detained person in" not in body and "No journeys match" in body
    assert client.get(reverse("journey-list"), {"programme": "²"}).status_code == 200
    export = client.get(reverse("journey-list"), {"export": "csv"})
    assert b"Booking a detained person in" in b"".join(export.streaming_content)


def test_create_offers_only_the_leads_programmes_and_saves(lead: Any, d: Data) -> None:
    page = lead.get(reverse("journey-create")).content.decode()
    assert "Shared Services" in page and "Case Files" not in page
    response = lead.post(reverse("journey-create"), {"programme": d.world.programme_a.pk, "title": "Answering a 999 call", "persona": "Call handler",
                                                      "units": [d.world.team.pk], "role_group": "staff", "fill_from_survey": "on"})
    journey = Journey.objects.get(title="Answering a 999 call")
    assert response.status_code == 302 and response["Location"] == journey.get_absolute_url()
    assert (journey.role_group, journey.fill_from_survey, list(journey.units.all())) == ("staff", True, [d.world.team])
    again = lead.post(reverse("journey-create"), {"programme": d.world.programme_b.pk, "title": "X", "persona": "Y", "units": [d.world.team.pk]})
    assert again.status_code == 200 and "Choose one of your programmes" in again.content.decode()
    missing = lead.post(reverse("journey-create"), {"programme": d.world.programme_a.pk, "title": "X", "persona": "Y"})
    assert "Choose at least one unit" in missing.content.decode()


def test_edit_keeps_what_was_typed_and_saves(lead: Any, d: Data) -> None:
    page = lead.get(reverse("journey-edit", args=[d.journey.pk])).content.decode()
    assert "Custody officer on nights" in page and 'name="programme"' not in page
    response = lead.post(reverse("journey-edit", args=[d.journey.pk]), {"title": "Booking in", "persona": "Custody sergeant",
                                                                         "units": [d.world.westminster.pk], "role_group": "officer"})
    assert response.status_code == 302
    d.journey.refresh_from_db()
    assert (d.journey.title, d.journey.persona, d.journey.fill_from_survey) == ("Booking in", "Custody sergeant", False)


def test_detail_shows_the_grid_the_lane_chart_and_its_table(lead: Any, d: Data) -> None:
    wave = survey(d)
    services.touchpoint_add(step=d.briefing, kind="message", ref=str(d.message_a.pk), actor=None)
    services.touchpoint_add(step=d.briefing, kind="course", ref="CUST-101", actor=None)
    body = lead.get(reverse("journey-detail", args=[d.journey.pk])).content.decode()
    assert 'role="region"' in body and 'tabindex="0"' in body
    assert 'scope="colgroup" colspan="2"' in body
    assert "Hearing about it" in body and "Go-live week" in body and "Slow screens" in body
    assert f'href="{reverse("message-detail", args=[d.message_a.pk])}"' in body
    assert "Course CUST-101" in body
    assert "data:image/svg+xml;base64," in body
    assert f"From the survey wave {wave.title}" in body
    assert "Lowest point" in body and "below threshold" in body and "Fully evidenced" in body and "Partly evidenced" in body
    assert reverse("stage-add", args=[d.journey.pk]) in body and reverse("step-move", args=[d.training.pk]) in body


def test_detail_for_a_reader_has_no_change_links_and_links_only_what_they_may_view(client: Any, d: Data) -> None:
    services.touchpoint_add(step=d.briefing, kind="message", ref=str(d.message_a.pk), actor=None)
    client.force_login(d.world.users["auditor"])
    body = client.get(reverse("journey-detail", args=[d.journey.pk])).content.decode()
    assert reverse("stage-add", args=[d.journey.pk]) not in body and "Delete journey" not in body
    assert "Go-live briefing note" in body


def test_empty_journey_says_so(lead: Any, d: Data) -> None:
    journey = services.journey_create(programme=d.world.programme_a, title="Empty", persona="P", units=[d.world.team], actor=None)
    body = lead.get(reverse("journey-detail", args=[journey.pk])).content.decode()
    assert "no stages yet" in body and "the emotion lane appears once the journey has steps" in body


def test_stage_step_touchpoint_forms(lead: Any, d: Data) -> None:
    assert lead.post(reverse("stage-add", args=[d.journey.pk]), {"name": "Settling"}).status_code == 302
    stage = Stage.objects.get(name="Settling")
    assert stage.order == 3
    assert lead.post(reverse("stage-edit", args=[stage.pk]), {"name": "Settling down"}).status_code == 302
    assert lead.get(reverse("stage-edit", args=[stage.pk])).content.decode().count("Settling down") >= 1
    assert lead.post(reverse("step-add", args=[stage.pk]), {"name": "Month one", "adkar": "reinforcement", "emotion": "-2"}).status_code == 302
    step = Step.objects.get(name="Month one")
    assert (step.adkar, step.emotion) == ("reinforcement", -2)
    assert lead.post(reverse("step-edit", args=[step.pk]), {"name": "Month one", "emotion": ""}).status_code == 302
    step.refresh_from_db()
    assert step.emotion is None and step.adkar == ""
    bad = lead.post(reverse("touchpoint-add", args=[step.pk]), {"kind": "message", "ref": str(d.message_b.pk)})
    assert bad.status_code == 200 and "belongs to another programme" in bad.content.decode()
    assert lead.post(reverse("touchpoint-add", args=[step.pk]), {"kind": "task", "ref": str(d.task_a.pk)}).status_code == 302
    tp = Touchpoint.objects.get(step=step)
    assert lead.get(reverse("touchpoint-delete", args=[tp.pk])).status_code == 200
    assert lead.post(reverse("touchpoint-delete", args=[tp.pk])).status_code == 302
    assert not Touchpoint.objects.exists()
    assert lead.post(reverse("step-delete", args=[step.pk])).status_code == 302
    assert lead.post(reverse("stage-delete", args=[stage.pk])).status_code == 302
    assert not Stage.objects.filter(pk=stage.pk).exists()


def test_moves(lead: Any, d: Data) -> None:
    response = lead.post(reverse("stage-move", args=[d.golive.pk]), {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#stage-{d.golive.pk}")
    assert Stage.objects.filter(journey=d.journey).first() == d.golive
    lead.post(reverse("step-move", args=[d.training.pk]), {"direction": "up"})
    assert Step.objects.filter(stage=d.hearing).first() == d.training
    bad = lead.post(reverse("step-move", args=[d.training.pk]), {"direction": "²"})
    assert bad.status_code == 302
    assert lead.get(reverse("step-move", args=[d.training.pk])).status_code == 405


def test_delete_journey(lead: Any, d: Data) -> None:
    assert "Delete the journey" in lead.get(reverse("journey-delete", args=[d.journey.pk])).content.decode()
    response = lead.post(reverse("journey-delete", args=[d.journey.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("journey-list")
    assert not Journey.objects.exists()


def test_xlsx_has_one_row_per_step_with_every_lane(lead: Any, d: Data) -> None:
    survey(d)
    services.touchpoint_add(step=d.briefing, kind="message", ref=str(d.message_a.pk), actor=None)
    response = lead.get(reverse("journey-xlsx", args=[d.journey.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"journey-{d.journey.pk}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows: list[Any] = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Stage", "Step", "ADKAR element")
    assert len(rows) == 5
    briefing = rows[1]
    assert briefing[:3] == ("Hearing about it", "Team briefing", "Awareness")
    assert "Communication: Go-live briefing note" in briefing[5]
    assert briefing[7:13] == (1, 1.2, 1.2, "survey", "40", "Fully evidenced")
    first = rows[3]
    assert first[7:13] == (-1, None, -1, "judgement", "below threshold", "No data") and first[13] == "Lowest point"


def test_pdf_is_a_pdf(lead: Any, d: Data) -> None:
    survey(d)
    response = lead.get(reverse("journey-pdf", args=[d.journey.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
