"""The handover evidence read from the audit trail, against real service
calls: a practitioner's count goes up, a non-practitioner counts as the
change team, another programme's rows stay out, and the statuses follow the
times required. Also the plan services and the Board section."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changeboard.conftest import make_user
from changeboard.core import audit
from changeboard.impacts import services as impacts
from changeboard.reports.packs import pack_request
from changeboard.reports.sections import programme_sections
from changeboard.surveys import services as surveys

from ..handover import ALONE, HANDING_OVER, NOT_YET, SIGNATURES, handover_view, programme_handover_summary
from ..models import HandoverActivity, HandoverItem
from ..services import handover as plan
from ..services.board_handover import handover_section
from .coaching_data import Coaching, build
from .factories import make_practitioner

Activity = HandoverActivity


@pytest.fixture
def c(world: Any) -> Coaching:
    return build(world)


def _row(programme: Any, activity: str) -> Any:
    return next(r for r in handover_view(programme) if r.activity == activity)


def _wave(world: Any, programme: Any, units: list[Any], title: str) -> Any:
    instrument = surveys.default_instrument()
    assert instrument is not None
    today = timezone.localdate()
    return surveys.wave_create(programme=programme, instrument=instrument, opens_on=today + dt.timedelta(days=3),
                               closes_on=today + dt.timedelta(days=13), audience_source="manual", units=units, actor=None, title=title)


def _assessment(world: Any, programme: Any, actor: Any) -> Any:
    admin = world.users["admin"]
    a = impacts.assessment_create(programme=programme, title=f"{programme.code} impacts", actor=admin)
    impacts.line_save(assessment=a, actor=admin, units=[world.central_west], title="New system", severity=3, start_date=dt.date(2027, 1, 4),
                      end_date=dt.date(2027, 1, 17), hours_per_person=Decimal("4"), dimensions={"process": {}})
    return impacts.assessment_submit(assessment=a, actor=actor)


def test_every_activity_has_a_signature() -> None:
    assert set(SIGNATURES) == set(Activity.values)


def test_survey_waves_launched_by_a_practitioner_and_by_the_change_team(c: Coaching) -> None:
    w = c.world
    champion = w.users["champion"]  # Alex's account: a practitioner
    assert _row(w.programme_a, Activity.SURVEY_WAVE).status == NOT_YET
    surveys.wave_launch(wave=_wave(w, w.programme_a, [w.team], "One"), actor=champion)
    row = _row(w.programme_a, Activity.SURVEY_WAVE)
    assert [(d.practitioner, d.times) for d in row.doers] == [(c.alex, 1)] and row.team_count == 0
    assert row.status == HANDING_OVER and row.times_required == 2  # no plan item: the default
    surveys.wave_launch(wave=_wave(w, w.programme_a, [w.team], "Two"), actor=w.users["lead"])  # lead: not a practitioner
    row = _row(w.programme_a, Activity.SURVEY_WAVE)
    assert row.doers[0].times == 1 and row.team_count == 1
    surveys.wave_launch(wave=_wave(w, w.programme_a, [w.team], "Three"), actor=champion)
    row = _row(w.programme_a, Activity.SURVEY_WAVE)
    assert row.doers[0].times == 2 and row.status == ALONE and len(row.doers[0].entry_ids) == 2
    assert row.doers[0].last is not None
    # Programme B's evidence does not include A's waves; B's own wave counts only for B.
    surveys.wave_launch(wave=_wave(w, w.programme_b, [w.camden], "B"), actor=champion)
    row_b = _row(w.programme_b, Activity.SURVEY_WAVE)
    assert row_b.doers[0].times == 1 and row_b.team_count == 0
    assert _row(w.programme_a, Activity.SURVEY_WAVE).doers[0].times == 2


def test_creating_or_editing_a_wave_is_not_running_it(c: Coaching) -> None:
    w = c.world
    wave = _wave(w, w.programme_a, [w.team], "Draft only")
    surveys.wave_update(wave=wave, actor=w.users["champion"], title="Renamed")
    assert _row(w.programme_a, Activity.SURVEY_WAVE).evidence == 0


def test_an_inactive_practitioner_counts_as_the_change_team(c: Coaching) -> None:
    w = c.world
    c.alex.active = False
    c.alex.save()
    surveys.wave_launch(wave=_wave(w, w.programme_a, [w.team], "One"), actor=w.users["champion"])
    row = _row(w.programme_a, Activity.SURVEY_WAVE)
    assert row.doers == [] and row.team_count == 1


def test_board_packs_count_for_every_programme_and_the_plan_sets_times(c: Coaching) -> None:
    w = c.world
    pack_request(as_of=timezone.localdate(), actor=w.users["champion"], notify=False)
    pack_request(as_of=timezone.localdate(), actor=None, notify=False)  # the schedule: nobody's evidence
    a, b = _row(w.programme_a, Activity.BOARD_PACK), _row(w.programme_b, Activity.BOARD_PACK)
    assert a.doers[0].times == b.doers[0].times == 1 and a.team_count == b.team_count == 0
    assert a.status == ALONE  # the plan for A needs it once
    assert b.status == HANDING_OVER  # no plan for B: twice
    assert a.owner == c.alex


def test_impact_assessments_submitted(c: Coaching) -> None:
    w = c.world
    lead2 = w.users["lead2"]
    make_practitioner(make_staff_for(w), user=lead2, programmes=[w.programme_b])
    _assessment(w, w.programme_b, lead2)
    _assessment(w, w.programme_a, w.users["lead"])
    row_b, row_a = _row(w.programme_b, Activity.IMPACT_ASSESSMENT), _row(w.programme_a, Activity.IMPACT_ASSESSMENT)
    assert [d.times for d in row_b.doers] == [1] and row_b.team_count == 0
    assert row_a.doers == [] and row_a.team_count == 1


def make_staff_for(world: Any) -> Any:
    from changeboard.conftest import make_staff

    return make_staff("200009", world.camden)


def test_reviews_rehearsals_and_comms_signatures(c: Coaching) -> None:
    """The rows the review, rehearsal and sending services write (their own tests pin them), matched by shape."""
    from changeboard.cutover.models import Run, Runbook
    from changeboard.engagement.models import Message
    from changeboard.readiness.models import Review

    w = c.world
    champion = w.users["champion"]
    review = Review.objects.create(programme=w.programme_a, rollout_wave=w.wave_a, scheduled_on=timezone.localdate())
    audit.record(actor=champion, action="update", obj=review, before={"decision": ""}, after={"decision": "go"})
    audit.record(actor=champion, action="update", obj=review, before={"decision": ""}, after={"decision": ""})  # an edit, not a decision
    runbook = Runbook.objects.create(programme=w.programme_a, rollout_wave=w.wave_a, title="Go-live", planned_start=timezone.now())
    run = Run.objects.create(runbook=runbook, kind=Run.Kind.REHEARSAL, number=1, planned_start=timezone.now(), started_at=timezone.now())
    audit.record(actor=champion, action="create", obj=run, after={"event": "run started", "kind": "rehearsal"})
    message = Message.objects.create(programme=w.programme_a, title="Hello", channel="email", planned_on=timezone.localdate())
    audit.record(actor=champion, action="update", obj=message, after={"status": "sent", "sending": "message"})
    audit.record(actor=champion, action="update", obj=message, after={"status": "approved"})  # approval is not sending
    assert _row(w.programme_a, Activity.READINESS_REVIEW).doers[0].times == 1
    assert _row(w.programme_a, Activity.REHEARSAL).doers[0].times == 1
    assert _row(w.programme_a, Activity.COMMS).doers[0].times == 1
    assert _row(w.programme_b, Activity.COMMS).evidence == 0


def test_summary_counts_alone(c: Coaching) -> None:
    pack_request(as_of=timezone.localdate(), actor=c.world.users["champion"], notify=False)
    assert programme_handover_summary(c.world.programme_a) == (1, len(Activity.values))
    assert programme_handover_summary(c.world.programme_b) == (0, len(Activity.values))


def test_board_section(c: Coaching) -> None:
    w = c.world
    today = timezone.localdate()
    assert handover_section(w.programme_b, today) is None  # no plan, no evidence
    section = handover_section(w.programme_a, today)  # a plan item, no evidence yet
    assert section is not None and section.rows[0]["summary"] == {"alone": 0, "total": 6}
    pack_request(as_of=today, actor=w.users["champion"], notify=False)
    section = handover_section(w.programme_a, today)
    assert section is not None and section.rows[0]["summary"]["alone"] == 1
    pack_row = next(r for r in section.rows[1:] if r["activity"] == Activity.BOARD_PACK.label)
    assert pack_row["people"] == [{"name": str(c.alex), "times": 1}]
    assert handover_section(w.programme_b, today) is not None  # a board pack counts for every programme
    assert handover_section(w.programme_a, today - dt.timedelta(days=1)) is not None
    assert "capability-handover" in [s.key for s in programme_sections(w.programme_a, today)]


def test_plan_services(c: Coaching) -> None:
    w = c.world
    lead, lead2 = w.users["lead"], w.users["lead2"]
    item = plan.item_create(programme=w.programme_a, activity=Activity.SURVEY_WAVE, owner=c.alex, times_required=3, actor=lead)
    with pytest.raises(ValidationError):
        plan.item_create(programme=w.programme_a, activity=Activity.SURVEY_WAVE, actor=lead)
    with pytest.raises(PermissionDenied):
        plan.item_create(programme=w.programme_a, activity=Activity.COMMS, actor=lead2)
    with pytest.raises(PermissionDenied):
        plan.item_update(item=item, times_required=1, actor=lead2)
    with pytest.raises(ValidationError):
        plan.item_update(item=item, times_required=0, actor=lead)
    assert plan.item_update(item=item, times_required=1, actor=lead).times_required == 1
    with pytest.raises(PermissionDenied):
        plan.item_delete(item=item, actor=make_user("boardy", "board"))
    plan.item_delete(item=item, actor=lead)
    assert not HandoverItem.objects.filter(pk=item.pk).exists()


def test_the_board_sees_the_handover_on_the_programme_dashboard(client: Any, c: Coaching) -> None:
    from django.urls import reverse

    pack_request(as_of=timezone.localdate(), actor=c.world.users["champion"], notify=False)
    client.force_login(c.world.users["board"])
    response = client.get(reverse("programme-dashboard", args=[c.world.programme_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Can the force run it without us?" in html
    assert "run 1 of 6 activities alone" in html and f"{c.alex} (1)" in html
