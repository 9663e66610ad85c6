"""The planning pages: the plan page (schedule, critical path listed and
drawn, rollback points, streams, a plan that cannot schedule), its query
count, the forms (Europe/London times in and out, refusals shown with the
input kept), copies, templates, deletion, history and teams."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from ..models import Dependency, Run, Runbook, Task, Team
from ..services import runbooks as services
from .plan_helpers import START, add, make_runbook, make_template, small_plan

UTC = dt.UTC


@pytest.fixture
def lead(client: Any, world: Any) -> Any:
    client.force_login(world.users["lead"])
    return client


def text(response: Any) -> str:
    return response.content.decode()


def test_the_plan_page(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    small_plan(runbook)
    page = lead.get(reverse("runbook-detail", args=[runbook.pk]))
    assert page.status_code == 200
    html = text(page)
    # Planned start 22:00 GMT on Saturday 6 March; finish 100 minutes later, 23:40 GMT.
    assert "Sat 6 Mar 2027 22:00 GMT" in html and "Sat 6 Mar 2027 23:40 GMT" in html
    critical = html[html.index('id="critical-path"'):html.index('id="rollback-points"')]
    assert [m for m in re.findall(r">([A-Z])</a>", critical)] == ["A", "B", "D", "R"]
    assert "Last moment to roll back: planned for Sat 6 Mar 23:40 GMT" in html
    # The chart: an SVG image with a text alternative naming the critical path, and its data table.
    image = re.search(r'<img class="cb-chart__image" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', html)
    assert image is not None
    svg = base64.b64decode(image.group(1)).decode()
    assert "url(#hatch)" in svg and "Rollback point R 23:40" in svg and "B Task B (critical)" in svg
    assert "Critical path (4 tasks): A, B, D, R" in image.group(2)
    # The table: predecessors in the notation, float and the critical marker.
    row_c = html[html.index('id="task-' + str(runbook.tasks.get(ref="C").pk)):]
    row_c = row_c[:row_c.index("</tr>")]
    assert "Sat 6 Mar 22:30 GMT" in row_c and ">40<" in row_c and "Critical" not in row_c and ">A<" in row_c
    assert "B, C" in html


def test_times_in_summer_are_bst(lead: Any, world: Any) -> None:
    runbook = make_runbook(world, start=dt.datetime(2027, 7, 3, 21, 0, tzinfo=UTC))
    add(runbook, "A", 60)
    html = text(lead.get(reverse("runbook-detail", args=[runbook.pk])))
    assert "Sat 3 Jul 2027 22:00 BST" in html and "Sat 3 Jul 2027 23:00 BST" in html


def test_the_plan_page_does_not_query_per_task(lead: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    small = make_runbook(world, title="Small")
    small_plan(small)
    big = make_runbook(world, title="Big")
    previous = ""
    for i in range(120):
        ref = f"T-{i:03d}"
        add(big, ref, 10 + i % 7, previous, stream=("Business", "Technology", "Comms")[i % 3],
            owner_user=world.users["lead"] if i % 2 else None)
        previous = ref if i % 4 else ""
    lead.get(reverse("runbook-detail", args=[small.pk]))  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        lead.get(reverse("runbook-detail", args=[small.pk]))
    with django_assert_max_num_queries(len(small_queries)):
        page = lead.get(reverse("runbook-detail", args=[big.pk]))
    html = text(page)
    # Too many to draw legibly: the chart shows the critical tasks and says so; the table pages.
    assert "too many to draw legibly" in html
    assert "Page 2" in html and html.count('<tr class="govuk-table__row" id="task-') == 100


def test_a_stream_filter(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    small_plan(runbook)
    html = text(lead.get(reverse("runbook-detail", args=[runbook.pk]), {"stream": "Technology"}))
    assert html.count('id="task-') == 2 and "in the Technology stream" in html
    # An unknown stream (or a NUL) shows every task.
    assert text(lead.get(reverse("runbook-detail", args=[runbook.pk]), {"stream": "\x00"})).count('id="task-') == 5


def test_a_plan_that_cannot_schedule_shows_why_not_a_500(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    tasks = small_plan(runbook)
    Dependency.objects.create(predecessor=tasks["D"], successor=tasks["A"])  # written around the services
    page = lead.get(reverse("runbook-detail", args=[runbook.pk]))
    assert page.status_code == 200
    assert "This plan cannot be scheduled" in text(page) and "B → D → A → B" in text(page)
    assert lead.get(reverse("task-detail", args=[tasks["C"].pk])).status_code == 200
    assert lead.get(reverse("api-runbook-schedule", args=[runbook.pk]), HTTP_ACCEPT="application/json").status_code == 400


def test_create_a_runbook_in_london_time(lead: Any, world: Any) -> None:
    body = {"rollout_wave": world.wave_a.pk, "title": "Go-live", "planned_start": "2027-07-03T22:00", "late_threshold_minutes": "20"}
    response = lead.post(reverse("runbook-create"), body)
    runbook = Runbook.objects.get(title="Go-live")
    assert response.status_code == 302 and response["Location"] == runbook.get_absolute_url()
    assert runbook.planned_start == dt.datetime(2027, 7, 3, 21, 0, tzinfo=UTC)  # 22:00 BST
    assert (runbook.programme, runbook.rollout_wave, runbook.late_threshold_minutes) == (world.programme_a, world.wave_a, 20)


def test_a_time_the_clocks_skip_and_another_programmes_wave_are_refused(lead: Any, world: Any) -> None:
    body = {"rollout_wave": world.wave_b.pk, "title": "Go-live", "planned_start": "2027-03-28T01:30", "late_threshold_minutes": "20"}
    page = lead.post(reverse("runbook-create"), body)
    assert page.status_code == 200 and not Runbook.objects.exists()
    errors = page.context["form"].errors
    assert set(errors) == {"rollout_wave", "planned_start"}


def test_edit_shows_and_takes_london_time(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    page = lead.get(reverse("runbook-edit", args=[runbook.pk]))
    assert 'value="2027-03-06T22:00"' in text(page)
    lead.post(reverse("runbook-edit", args=[runbook.pk]), {"title": "Moved", "planned_start": "2027-03-13T21:30", "late_threshold_minutes": "30"})
    runbook.refresh_from_db()
    assert (runbook.title, runbook.planned_start) == ("Moved", dt.datetime(2027, 3, 13, 21, 30, tzinfo=UTC))


def task_body(**overrides: Any) -> dict[str, Any]:
    return {"ref": "E", "title": "Switch over", "stream": "Technology", "kind": "normal", "duration_minutes": "15", **overrides}


def test_add_a_task_with_predecessors_and_a_fixed_time(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    small_plan(runbook)
    response = lead.post(reverse("task-create", args=[runbook.pk]),
                         task_body(predecessors="B, CSS+5", not_before="2027-03-06T23:45", owner_user=world.users["lead"].pk))
    assert response.status_code == 302
    task = runbook.tasks.get(ref="E")
    assert response["Location"].endswith(f"#task-{task.pk}")
    links = sorted((link.predecessor.ref, link.link_type, link.lag_minutes) for link in task.predecessor_links.all())
    assert links == [("B", "FS", 0), ("C", "SS", 5)]
    assert task.not_before == dt.datetime(2027, 3, 6, 23, 45, tzinfo=UTC) and task.owner_user == world.users["lead"]
    # The edit form shows the predecessors as typed and the time in London.
    html = text(lead.get(reverse("task-edit", args=[task.pk])))
    assert 'value="B, CSS+5"' in html and 'value="2027-03-06T23:45"' in html


@pytest.mark.parametrize(("overrides", "message"), [
    ({"ref": "A", "predecessors": "D"}, "B → D → A → B"),  # changing A (below) to wait on D closes a loop
    ({"predecessors": "B, Q-1"}, "These predecessors are not tasks in this runbook: Q-1."),
    ({"predecessors": "D", "due_by": "2027-03-06T23:00"}, "cannot finish by their due time"),
])
def test_a_refusal_shows_on_the_form_with_the_input_kept(lead: Any, world: Any, overrides: dict[str, Any], message: str) -> None:
    runbook = make_runbook(world)
    tasks = small_plan(runbook)
    url = reverse("task-edit", args=[tasks["A"].pk]) if overrides.get("ref") == "A" else reverse("task-create", args=[runbook.pk])
    body = task_body(**overrides)
    page = lead.post(url, body)
    assert page.status_code == 200
    html = text(page)
    assert message in html.replace("&gt;", ">")
    assert f'value="{body["predecessors"]}"' in html and 'value="Switch over"' in html
    assert runbook.tasks.count() == 5 and not runbook.tasks.filter(title="Switch over").exists()


def test_an_owner_is_a_person_or_a_team(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    team = services.team_save(name="Desk", actor=None)
    page = lead.post(reverse("task-create", args=[runbook.pk]), task_body(owner_user=world.users["lead"].pk, owner_team=team.pk))
    assert page.status_code == 200 and "not both" in text(page) and not runbook.tasks.exists()


def test_a_communication_task_and_its_page(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    small_plan(runbook)
    team = services.team_save(name="Desk", actor=None)
    lead.post(reverse("task-create", args=[runbook.pk]), task_body(
        kind="communication", predecessors="R", message_subject="We are live", message_body="All done.",
        audience_teams=[team.pk], audience_units=[world.westminster.pk], duration_minutes="5"))
    task = runbook.tasks.get(ref="E")
    html = text(lead.get(reverse("task-detail", args=[task.pk])))
    assert "We are live" in html and "Desk (team)" in html and "Westminster (unit)" in html
    # Its place in the schedule: after R (100), so 23:40 to 23:45 GMT, on the critical path.
    assert "Sat 6 Mar 2027 23:40 GMT to Sat 6 Mar 2027 23:45 GMT" in html and "Critical" in html
    b = runbook.tasks.get(ref="B")
    page = text(lead.get(reverse("task-detail", args=[b.pk])))
    waits_on = page[page.index('id="predecessors"'):page.index('id="successors"')]
    assert ">A<" in waits_on and ">D<" in page[page.index('id="successors"'):]


def test_delete_a_task(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    tasks = small_plan(runbook)
    assert "D" in text(lead.get(reverse("task-delete", args=[tasks["B"].pk])))
    response = lead.post(reverse("task-delete", args=[tasks["B"].pk]))
    assert response.status_code == 302 and not runbook.tasks.filter(ref="B").exists()


def test_copy_a_template_into_a_wave_moves_its_fixed_times(lead: Any, world: Any) -> None:
    template = make_template()
    add(template, "A", 30, not_before=START + dt.timedelta(hours=1))
    response = lead.post(reverse("runbook-copy", args=[template.pk]),
                         {"rollout_wave": world.wave_a.pk, "title": "From the template", "planned_start": "2027-03-13T22:00"})
    copy = Runbook.objects.get(title="From the template")
    assert response.status_code == 302 and copy.programme == world.programme_a
    assert copy.tasks.get().not_before == dt.datetime(2027, 3, 13, 23, 0, tzinfo=UTC)
    # The lead may not copy into programme B's wave: not offered, refused.
    page = lead.post(reverse("runbook-copy", args=[template.pk]),
                     {"rollout_wave": world.wave_b.pk, "title": "Elsewhere", "planned_start": "2027-03-13T22:00"})
    assert page.status_code == 200 and "rollout_wave" in page.context["form"].errors


def test_admin_templates(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    response = client.post(reverse("runbook-template-create"), {"title": "Standard", "planned_start": "2027-01-09T20:00",
                                                                 "late_threshold_minutes": "30"})
    template = Runbook.objects.get(title="Standard")
    assert response.status_code == 302 and template.is_template and template.programme is None
    runbook = make_runbook(world)
    small_plan(runbook)
    client.post(reverse("runbook-save-template", args=[runbook.pk]), {"title": "From wave 1"})
    saved = Runbook.objects.get(title="From wave 1")
    assert saved.is_template and saved.tasks.count() == 5


def test_delete_a_runbook_unless_it_has_run(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    Run.objects.create(runbook=runbook, kind=Run.Kind.REHEARSAL, planned_start=START, started_at=START)
    assert "cannot be deleted" in text(lead.get(reverse("runbook-delete", args=[runbook.pk])))
    response = lead.post(reverse("runbook-delete", args=[runbook.pk]), follow=True)
    assert Runbook.objects.filter(pk=runbook.pk).exists() and "cannot be deleted" in text(response)
    spare = make_runbook(world, title="Spare")
    assert lead.post(reverse("runbook-delete", args=[spare.pk])).status_code == 302
    assert not Runbook.objects.filter(pk=spare.pk).exists()


def test_the_history_page(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    tasks = small_plan(runbook)
    services.task_save_with_predecessors(runbook=runbook, task=tasks["D"], predecessors="B", actor=world.users["lead"], duration_minutes=25)
    html = text(lead.get(reverse("runbook-history", args=[runbook.pk])))
    assert "Predecessors: B" in html and "Changed duration minutes" in html
    assert html.index("Predecessors: B") < html.index("Changed duration minutes")  # newest first: its links were written after the task
    assert "Runbook Go-live weekend" in html


def test_the_list_filters_and_exports(lead: Any, world: Any) -> None:
    make_runbook(world)
    make_template()
    html = text(lead.get(reverse("runbook-list"), {"is_template": "true"}))
    assert "Standard cutover" in html and "Go-live weekend" not in html
    export = lead.get(reverse("runbook-list"), {"export": "csv"})
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "Go-live weekend" in body and "Standard cutover" in body


def test_teams(lead: Any, world: Any) -> None:
    response = lead.post(reverse("team-create"), {"name": "Service desk", "members": [world.users["champion"].pk]})
    team = Team.objects.get(name="Service desk")
    assert response.status_code == 302 and list(team.members.all()) == [world.users["champion"]]
    mine = make_runbook(world)
    add(mine, "A", owner_team=team)
    theirs = make_runbook(world, programme="b", title="Case files go-live")
    add(theirs, "B1", owner_team=team, title="Case files task")
    html = text(lead.get(reverse("team-detail", args=[team.pk])))
    # The lead sees the team's tasks in their own programme's runbook only.
    assert "Task A" in html and "Case files task" not in html and "Champion Tester" in html
    assert "Service desk" in text(lead.get(reverse("team-list")))
    lead.post(reverse("team-edit", args=[team.pk]), {"name": "Service desk", "members": []})
    assert not team.members.exists()


def test_task_kind_milestone_takes_no_time(lead: Any, world: Any) -> None:
    runbook = make_runbook(world)
    page = lead.post(reverse("task-create", args=[runbook.pk]), task_body(kind="milestone", duration_minutes="30", rollback_point="on"))
    assert page.status_code == 200 and "A milestone takes no time" in text(page)
    assert lead.post(reverse("task-create", args=[runbook.pk]), task_body(kind="milestone", duration_minutes="0", rollback_point="on")).status_code == 302
    assert Task.objects.get(runbook=runbook).rollback_point
