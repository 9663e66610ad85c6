"""The cutover seeds: the demo's ~150-task runbook for the next go-live of
CMS and the met set's 2,000-task runbook with ~3,000 links are the same for
the same seed, schedule, and have what a demo needs (streams, milestones, a
go/no-go point, validations, communications, a rollback point, fixed starts,
owners and teams, SS/FF links with lags); the rehearsal seed is enabled once
the runs services exist."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from changeboard.cutover import seeding
from changeboard.cutover.models import Dependency, Runbook, Task, Team
from changeboard.cutover.services import calendar
from changeboard.cutover.services import runs as run_services
from changeboard.cutover.services.runbooks import runbook_schedule
from changeboard.hypercare.seeding import TEAM_PREFIX

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fingerprint(runbook: Runbook) -> tuple[Any, ...]:
    tasks = list(runbook.tasks.order_by("position").values_list(
        "ref", "title", "stream", "sub_stream", "kind", "duration_minutes", "owner_user__username", "owner_team__name", "not_before",
        "due_by", "rollback_point", "message_subject"))
    links = sorted(Dependency.objects.filter(successor__runbook=runbook).values_list("predecessor__ref", "successor__ref", "link_type",
                                                                                    "lag_minutes"))
    return runbook.title, runbook.planned_start, runbook.rollout_wave.name if runbook.rollout_wave else None, tasks, links


def seed_tiny() -> Runbook:
    call_command("seed", "--scale", "tiny", stdout=StringIO())
    return Runbook.objects.get(programme__code="CMS")


def test_the_demo_runbook_is_the_same_every_time_and_schedules(monkeypatch: Any) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    first = fingerprint(seed_tiny())
    call_command("seed", "--scale", "tiny", "--replace", stdout=StringIO())
    runbook = Runbook.objects.get(programme__code="CMS")
    assert fingerprint(runbook) == first
    # --replace cleared the first, teams and all (the hypercare seed's support teams are its own).
    assert Runbook.objects.count() == 1 and Team.objects.exclude(name__startswith=TEAM_PREFIX).count() == 3

    # The next CMS go-live after 3 Dec 2026 is the pilot on Monday 18 January 2027: the weekend before, from Friday 18:00.
    assert runbook.rollout_wave is not None and runbook.rollout_wave.go_live_date == dt.date(2027, 1, 18)
    assert calendar.when(runbook.planned_start) == "Fri 15 Jan 2027 18:00 GMT"
    tasks = list(runbook.tasks.all())
    links = list(Dependency.objects.filter(successor__runbook=runbook))
    assert 140 <= len(tasks) <= 160
    assert 1.4 <= len(links) / len(tasks) <= 1.7
    kinds = Counter(t.kind for t in tasks)
    assert kinds[Task.Kind.DECISION] == 1 and kinds[Task.Kind.MILESTONE] >= 5 and kinds[Task.Kind.VALIDATION] >= 20
    assert kinds[Task.Kind.COMMUNICATION] >= 8 and all(t.message_subject for t in tasks if t.kind == Task.Kind.COMMUNICATION)
    assert {t.stream for t in tasks} == {"Business", "Technology", "Comms", "Support"}
    assert len({(t.stream, t.sub_stream) for t in tasks}) >= 12
    assert Counter(link.link_type for link in links).keys() >= {"FS", "SS", "FF"} and any(link.lag_minutes for link in links)
    assert sum(1 for t in tasks if t.not_before) >= 5
    assert {t.owner_user.username for t in tasks if t.owner_user} == {"admin", "lead", "champion"}
    assert len({t.owner_team_id for t in tasks if t.owner_team_id}) == 3
    assert all(t.owner_user_id or t.owner_team_id for t in tasks)

    plan = runbook_schedule(runbook)
    [rollback] = plan.rollback_points
    assert rollback.task.due_by is not None and rollback.earliest_finish <= rollback.task.due_by
    assert calendar.when(rollback.task.due_by) == "Sun 17 Jan 2027 12:00 GMT"
    assert plan.critical_path and plan.finish > runbook.planned_start + dt.timedelta(days=2)


def test_the_met_runbook_has_2000_tasks_and_about_3000_links(world: Any) -> None:
    """Built on the test world (CMS and CCM are not there, so it names its programme)."""
    runbook = seeding.seed_met_runbook(seed=2026, actor=None, today=dt.date(2027, 1, 1), programme_code="AAA")
    assert runbook is not None
    assert runbook.tasks.count() == 2000
    links = Dependency.objects.filter(successor__runbook=runbook).count()
    assert 2800 <= links <= 3200
    plan = runbook_schedule(runbook)
    assert len(plan.rows) == 2000 and plan.critical_path and plan.rollback_points
    # Every task owned, by a team (no demo users here).
    assert not runbook.tasks.filter(owner_user__isnull=True, owner_team__isnull=True).exists()


def test_the_generated_network_is_deterministic_and_loop_free() -> None:
    a, b = seeding.generate_network(300, 7), seeding.generate_network(300, 7)
    assert [(t.ref, t.duration, t.not_before, t.due_by) for t in a.tasks] == [(t.ref, t.duration, t.not_before, t.due_by) for t in b.tasks]
    assert a.links == b.links and a.links != seeding.generate_network(300, 8).links
    refs = {t.ref: n for n, t in enumerate(a.tasks)}
    assert all(refs[p] < refs[s] for p, s, _, _ in a.links)  # every link points forwards: no loops
    timings = a.schedule().timings
    assert all(timings[t.ref].ef <= t.due_by for t in a.tasks if t.due_by is not None)
    assert any(t.not_before is not None and timings[t.ref].es == t.not_before for t in a.tasks)


@pytest.mark.skipif(not hasattr(run_services, "run_start"), reason="the runs services (run_start) land with the runs work")
def test_the_seeded_rehearsal_finishes(world: Any) -> None:  # pragma: no cover - enabled after the merge
    from changeboard.readiness.models import Review
    from changeboard.readiness.services import reviews as review_services

    review_services.reviews_add_defaults(rollout_wave=world.wave_a, actor=None)
    review = Review.objects.get(rollout_wave=world.wave_a, checkpoint="go_no_go")
    review_services.review_decide(review=review, decision="go", conditions="", notes="Rehearsal", override_reason="",
                                  held_on=timezone.localdate(), actor=world.users["board"])
    teams = seeding.ensure_teams(seeding.TEAMS, None)
    start = seeding.friday_evening(world.wave_a.go_live_date)
    runbook = seeding.write_plan(plan=seeding.demo_plan(2026, world.wave_a.go_live_date, start), programme=world.programme_a,
                                 wave=world.wave_a, title="AAA cutover", description="", planned_start=start, actor=None, teams=teams)
    run = seeding.seed_rehearsal(runbook, seed=2026)
    assert run.status == "complete" and run.kind == "rehearsal"
    assert not run.tasks.exclude(status="done").exists()
    assert run.tasks.filter(kind="validation", result="pass").count() == runbook.tasks.filter(kind="validation").count()
    assert any(t.actual_minutes != t.duration_minutes for t in run.tasks.all() if t.duration_minutes)
