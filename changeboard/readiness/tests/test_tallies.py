"""The element tallies stay current after a submitted response, an import,
and with the management command."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db.models import Sum

from changeboard.surveys import importing, services
from changeboard.surveys.models import Invitation
from changeboard.surveys.tests.test_pages import Surveys

from ..models import ElementTally


def _sums(wave: Any) -> dict[str, Any]:
    return ElementTally.objects.filter(wave=wave).aggregate(n=Sum("responses"), a=Sum("answers"), t=Sum("total"), q=Sum("total_sq"))


def test_closing_a_wave_builds_its_tallies_and_submissions_do_not(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    s = Surveys(world)
    invitation = Invitation.objects.filter(waves=s.open, used=False).order_by("pk").first()
    assert invitation is not None
    token = invitation.token
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(token=token, data=s.answers(token, "4"))
    assert not ElementTally.objects.filter(wave=s.open).exists()  # no hot row locked per submission
    with django_capture_on_commit_callbacks(execute=True):
        services.wave_close(wave=s.open, actor=None)
    # The default instrument: two agreement questions per element, all answered 4.
    rows = list(ElementTally.objects.filter(wave=s.open).values_list("element", "unit_id", "source", "responses", "answers", "total", "total_sq"))
    assert sorted(r[0] for r in rows) == ["ability", "awareness", "desire", "knowledge", "reinforcement"]
    assert all(r[1:] == (world.team.pk, "link", 1, 2, 8, 32) for r in rows)


def test_an_import_updates_the_tallies(world: Any) -> None:
    s = Surveys(world)
    data = importing.sample_csv(s.open).encode()
    report = importing.commit(data, "responses.csv", wave=s.open, actor=world.users["admin"])
    assert report.committed and report.created == 1
    sums = _sums(s.open)
    # The sample row answers every agreement question 4: 10 answers, 5 elements x 1 response.
    assert sums == {"n": 5, "a": 10, "t": 40, "q": 160}
    assert set(ElementTally.objects.filter(wave=s.open).values_list("source", flat=True)) == {"import"}


def test_the_command_rebuilds_every_wave(world: Any) -> None:
    s = Surveys(world)
    importing.commit(importing.sample_csv(s.open).encode(), "responses.csv", wave=s.open, actor=world.users["admin"])
    before = _sums(s.open)
    ElementTally.objects.all().delete()
    call_command("rebuild_tallies")
    assert _sums(s.open) == before


def test_a_bulk_load_rebuilds_in_the_worker(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from changeboard.surveys.signals import responses_changed

    s = Surveys(world)
    importing.commit(importing.sample_csv(s.open).encode(), "responses.csv", wave=s.open, actor=world.users["admin"])
    before = _sums(s.open)
    ElementTally.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        responses_changed.send(sender=None, wave_ids=[s.open.pk], background=True)
    assert len(callbacks) == 1  # queued for the worker; tests run tasks at once
    assert _sums(s.open) == before


def test_criteria_fed_from_scores_follow_a_rebuild(world: Any) -> None:
    """A wave closing (or re-tallied) re-evaluates the score-fed criteria of
    its programme from the stored unit scores."""
    import datetime as dt
    from decimal import Decimal

    from ..models import CriterionStatus, Rag
    from ..services.criteria import criterion_save
    from .helpers import closed_wave, respond

    world.wave_a.units.set([world.westminster])
    criterion = criterion_save(programme=world.programme_a, actor=None, title="Staff know the new process", feed="score",
                               element="knowledge", threshold=Decimal("3.5"), criticality="critical")
    status = CriterionStatus.objects.get(criterion=criterion, unit=world.westminster)
    assert status.rag == Rag.NO_DATA  # no closed wave yet: never a colour
    wave = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 15))
    respond(wave, world.team, [4] * 10, invited=10)  # rebuilds the tallies, the unit scores and the criteria
    status.refresh_from_db()
    assert (status.rag, status.value, status.as_of) == (Rag.GREEN, "4.00", dt.date(2027, 1, 15))
