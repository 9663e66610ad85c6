"""The cutover calendar page and API: what each person sees (their
programmes' windows, and clashes involving them with the other side
redacted), filters, the month grid, runs' windows and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import _client
from changeboard.cutover.models import Run, RunTask
from changeboard.cutover.services import calendar
from changeboard.cutover.services import runbooks as services

from .test_calendar_conflicts import START, at, make_runbook

UTC = dt.UTC


class Scene:
    """A (AAA) and B (BBB) share the operator from 19:00 to 20:00 GMT on 9 Jan 2027."""

    def __init__(self, world: Any) -> None:
        from changeboard.conftest import make_user

        self.world = world
        self.operator = make_user("operator", "board")
        self.a = make_runbook(world.programme_a, world.wave_a, "AAA weekend cutover", tasks=[
            {"ref": "A-1", "title": "Freeze the old system", "duration": 60, "owner": world.users["lead"]},
            {"ref": "A-2", "title": "Migrate AAA records", "duration": 120, "owner": self.operator, "after": ["A-1"]},
        ])
        self.b = make_runbook(world.programme_b, world.wave_b, "BBB weekend cutover", tasks=[
            {"ref": "B-1", "title": "Switch BBB DNS", "duration": 120, "owner": self.operator},
        ])


@pytest.fixture
def scene(world: Any) -> Scene:
    return Scene(world)


def page(client: Any, scene: Scene, persona: str, **query: Any) -> Any:
    response = _client(client, scene.world, persona).get(reverse("cutover-calendar"), {"start": "2027-01-01", **query})
    assert response.status_code == 200
    return response


def test_the_board_sees_every_window_and_the_clash_in_full(client: Any, scene: Scene) -> None:
    response = page(client, scene, "board")
    html = response.content.decode()
    # Both start at 18:00; B (two hours) ends before A (three).
    assert [(e.runbook.pk, e.kind) for e in response.context["entries"]] == [(scene.b.pk, "plan"), (scene.a.pk, "plan")]
    a = response.context["entries"][1]
    assert (a.start, a.finish, a.finish_basis) == (START, at(3), "scheduled")
    assert "Sat 9 Jan 2027 18:00 GMT" in html and "Sat 9 Jan 2027 21:00 GMT" in html
    assert "Migrate AAA records" in html and "Switch BBB DNS" in html
    assert "Sat 9 Jan 2027 19:00 GMT to Sat 9 Jan 2027 20:00 GMT (60 min)" in html
    assert a.conflicts == 1


def test_a_change_manager_sees_their_programme_and_only_the_code_and_time_of_the_other(client: Any, scene: Scene) -> None:
    response = page(client, scene, "lead2")
    html = response.content.decode()
    assert [e.runbook.pk for e in response.context["entries"]] == [scene.b.pk]
    assert "BBB weekend cutover" in html and "Switch BBB DNS" in html
    assert "AAA weekend cutover" not in html and "Migrate AAA records" not in html and "A-2" not in html
    assert "A task in another programme's cutover (AAA)" in html
    assert "Sat 9 Jan 2027 19:00 GMT to Sat 9 Jan 2027 21:00 GMT" in html  # the other task's own window
    data = _client(client, scene.world, "lead2").get(reverse("api-cutover-calendar"), {"start": "2027-01-01"},
                                                     HTTP_ACCEPT="application/json").json()
    assert [e["runbook"] for e in data["entries"]] == [scene.b.pk]
    [overlap] = data["overlaps"]
    hidden = next(side for side in overlap["tasks"] if not side["visible"])
    assert hidden == {"visible": False, "programme": "AAA", "runbook": None, "runbook_title": None, "runbook_url": None, "ref": None,
                      "title": None, "start": "2027-01-09T19:00:00Z", "finish": "2027-01-09T21:00:00Z",
                      "start_local": "Sat 9 Jan 2027 19:00 GMT", "finish_local": "Sat 9 Jan 2027 21:00 GMT"}
    assert overlap["people"] == ["operator"]


def test_a_champion_sees_the_programme_going_live_in_their_units(client: Any, scene: Scene) -> None:
    response = page(client, scene, "champion")
    assert [e.runbook.pk for e in response.context["entries"]] == [scene.a.pk]


def test_filters_by_programme_and_dates(client: Any, scene: Scene) -> None:
    response = page(client, scene, "admin", programme=scene.world.programme_b.pk)
    assert [e.runbook.pk for e in response.context["entries"]] == [scene.b.pk]
    assert len(response.context["conflicts"].overlaps) == 1  # B's clash with A is still B's
    assert page(client, scene, "admin", start="2027-01-10").context["entries"] == []
    assert len(page(client, scene, "admin", start="2027-01-09", end="2027-01-09").context["entries"]) == 2
    assert page(client, scene, "admin", start="2026-12-01", end="2027-01-08").context["entries"] == []
    # The default starts this month, so a past cutover is left out until asked for.
    default = _client(client, scene.world, "admin").get(reverse("cutover-calendar"))
    assert len(default.context["entries"]) == 2  # January 2027 is after this month
    # A malformed date is a form error, not a failure.
    bad = _client(client, scene.world, "admin").get(reverse("cutover-calendar"), {"start": "2027-02-30", "programme": "²"})
    assert bad.status_code == 200 and bad.context["filter"].form.errors


def test_the_month_grid_shows_each_window_on_its_days(client: Any, scene: Scene) -> None:
    services.task_save(runbook=scene.b, actor=None, ref="B-2", title="Long check", duration_minutes=30 * 60)  # 9 Jan 18:00 to 11 Jan 00:00
    response = page(client, scene, "admin", month="2027-01-15")
    assert response.context["month"] == dt.date(2027, 1, 1)
    days = {cell["date"]: [e.runbook.pk for e in cell["entries"]] for week in response.context["weeks"] for cell in week}
    assert sorted(days[dt.date(2027, 1, 9)]) == sorted([scene.a.pk, scene.b.pk])
    assert days[dt.date(2027, 1, 10)] == [scene.b.pk]
    assert days[dt.date(2027, 1, 11)] == []  # ends at midnight
    assert min(days) == dt.date(2026, 12, 28) and max(days) == dt.date(2027, 1, 31)
    assert "January 2027" in response.content.decode()


def test_runs_show_their_windows(client: Any, scene: Scene) -> None:
    done = Run.objects.create(runbook=scene.a, kind=Run.Kind.REHEARSAL, number=1, status=Run.Status.COMPLETE, planned_start=at(-48),
                              started_at=at(-48), ended_at=at(-44))
    going = Run.objects.create(runbook=scene.a, kind=Run.Kind.REHEARSAL, number=2, planned_start=at(-24), started_at=at(-24))
    RunTask.objects.create(run=going, ref="A-1", title="Freeze", stream="Technology", kind="normal", duration_minutes=60,
                           planned_start=at(-24), planned_finish=at(-21))
    entries = calendar.calendar_entries([scene.a], calendar.schedules([scene.a])[0], now=at(-21.5))
    by_run = {e.run.pk: e for e in entries if e.run is not None}
    assert (by_run[done.pk].start, by_run[done.pk].finish, by_run[done.pk].finish_basis) == (at(-48), at(-44), "ended")
    # A run under way ends when its projection says: A-1 (60 minutes, planned to end at -21 h) not started at -21.5 h.
    assert (by_run[going.pk].finish, by_run[going.pk].finish_basis) == (at(-20.5), "projected")
    html = page(client, scene, "admin", start="2027-01-01").content.decode()
    assert "Rehearsal 1" in html and "Rehearsal 2" in html


def test_csv_export_lists_the_windows_with_their_zone(client: Any, scene: Scene) -> None:
    response = _client(client, scene.world, "lead").get(reverse("cutover-calendar"), {"start": "2027-01-01", "export": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="cutover-calendar.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Programme", "Runbook", "Rollout wave"]
    assert rows[1] == ["AAA", "AAA weekend cutover", "Wave 1", "Planned cutover", "Planning", "Sat 9 Jan 2027 18:00 GMT",
                       "Sat 9 Jan 2027 21:00 GMT", "scheduled", "2027-01-09T18:00:00+00:00", "2027-01-09T21:00:00+00:00", "1"]
    assert len(rows) == 2  # lead sees only AAA


def test_the_runbook_partial_renders_one_runbooks_conflicts(scene: Scene) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("cutover/_runbook_conflicts.html", {"conflicts": calendar.runbook_conflicts(scene.b, scene.world.users["lead2"])})
    assert "Switch BBB DNS" in html and "(AAA)" in html and "Migrate AAA records" not in html
    assert "Operator Tester" in html
    quiet = render_to_string("cutover/_runbook_conflicts.html", {"conflicts": calendar.runbook_conflicts(scene.b, scene.world.users["admin"])
                                                                  .only(set())})
    assert "No clashes" in quiet


def test_the_runbook_page_shows_its_conflicts(client: Any, scene: Scene) -> None:
    """The plan page carries the clash (the other side redacted for another
    programme's change manager); a template has no conflicts section."""
    response = _client(client, scene.world, "lead2").get(reverse("runbook-detail", args=[scene.b.pk]))
    html = response.content.decode()
    section = html[html.index('id="conflicts-heading"'):html.index('id="import-export"')]
    assert "1 clash of people or teams with another cutover" in section
    assert "Switch BBB DNS" in section and "A task in another programme's cutover (AAA)" in section
    assert "Migrate AAA records" not in section and "AAA weekend cutover" not in section
    assert "Sat 9 Jan 2027 19:00 GMT to Sat 9 Jan 2027 20:00 GMT (60 min)" in section
    full = _client(client, scene.world, "board").get(reverse("runbook-detail", args=[scene.a.pk])).content.decode()
    assert f'<a class="govuk-link" href="{scene.b.get_absolute_url()}">BBB weekend cutover</a>' in full
    template = services.runbook_copy(actor=scene.world.users["admin"], source=scene.a, title="Weekend template",
                                     planned_start=START, is_template=True)
    assert 'id="conflicts-heading"' not in _client(client, scene.world, "admin").get(template.get_absolute_url()).content.decode()
