"""Browser journey for a plan, end to end: a change manager imports a
runbook from a spreadsheet, sees its critical path and rollback point on
the runbook page, starts a rehearsal, finishes a task on the run page (the
rest through the service, to keep it short), completes the rehearsal and
re-estimates the plan from it; then in the live run the go/no-go decision
point will not complete until the wave's go/no-go review says go, the page
saying why with the review's link. axe-core runs on every page visited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from changeboard.conftest import PASSWORD, ensure_ranks
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.readiness.models import Review
from changeboard.readiness.services import reviews as review_services

from ..models import Run, RunTask, Task
from ..services import runbooks as plan
from ..services import runs as services
from .fixtures import new_runbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# No fixed times and no lags, so a run in real time never waits on the clock.
# Critical path: T-010, T-020, T-030, T-050, T-060 (T-040 runs beside T-030 with 90 minutes of float).
SPREADSHEET = b"""ID,Title,Stream,Sub-stream,Type,Duration,Predecessors,Owner,Not before,Due by,Description,Rollback point
T-010,Freeze changes to the old system,Technology,Freeze,normal,30,,lead,,,,no
T-020,Go/no-go call,Business,,decision,15,T-010,,,,,no
T-030,Migrate the case files,Technology,Data,normal,3h,T-020,,,,,no
T-040,Tell the stations,Comms,,normal,1h30,T-020,,,,,no
T-050,Last moment to roll back,Business,,milestone,0,"T-030, T-040",,,,,yes
T-060,Check a sample of migrated files,Business,Data,validation,45,T-050,,,,,no
"""


def section(page: Any, start: str, end: str) -> str:
    html = page.content()
    begin = html.index(start)
    return html[begin:html.index(end, begin)]


def click_and_wait(page: Any, locator: Any, url: str | re.Pattern[str]) -> None:
    locator.click()
    page.wait_for_url(url)
    page.wait_for_load_state()
    check_axe(page)


def test_a_change_manager_imports_rehearses_reestimates_and_is_held_by_the_gate(page: Any, world: Any) -> None:
    ensure_ranks()
    lead = world.users["lead"]
    runbook = new_runbook(world, title="CMS go-live weekend")
    review_services.reviews_add_defaults(rollout_wave=world.wave_a, actor=None)
    review = Review.objects.get(rollout_wave=world.wave_a, checkpoint=Review.Checkpoint.GO_NO_GO)
    detail = f"/cutover/runbooks/{runbook.pk}/"

    # Import the spreadsheet from the runbook page: upload, check the preview, commit, back on the runbook page.
    sign_in(page, "lead", PASSWORD)
    visit(page, detail)
    check_axe(page)
    click_and_wait(page, page.get_by_role("link", name="Import tasks from a spreadsheet (CSV or XLSX)"), f"**{detail}import/")
    page.get_by_label("Upload the runbook spreadsheet").set_input_files({"name": "runbook.csv", "mimeType": "text/csv", "buffer": SPREADSHEET})
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(f"**{detail}import/*/")
    check_axe(page)
    assert "No problems found in the file." in page.content() and "T-060" in page.content()
    click_and_wait(page, page.get_by_role("button", name="Commit import"), f"**{detail}")
    assert page.get_by_text("Imported 6 tasks").is_visible() and runbook.tasks.count() == 6

    # The critical path and the rollback point, Europe/London (6 March 2027 is GMT; the plan starts 20:00).
    critical = section(page, 'id="critical-path"', 'id="rollback-points"')
    assert re.findall(r">(T-\d{3})</a>", critical) == ["T-010", "T-020", "T-030", "T-050", "T-060"]
    rollback = section(page, 'id="rollback-points"', "</ul>")
    assert "T-050</a> Last moment to roll back: planned for Sat 6 Mar 23:45 GMT" in rollback
    assert page.locator("#projected-finish").inner_text().startswith("Sun 7 Mar 2027 00:30 GMT")

    # Start a rehearsal through the page.
    click_and_wait(page, page.get_by_role("link", name="Start a rehearsal or the live run"), f"**{detail}runs/new/")
    page.get_by_label("Rehearsal").check()
    page.get_by_role("button", name="Start the run").click()
    page.wait_for_url(re.compile(r"/cutover/runs/\d+/$"))
    check_axe(page)
    rehearsal = Run.objects.get(runbook=runbook, kind=Run.Kind.REHEARSAL)
    assert rehearsal.status == Run.Status.RUNNING

    # The first task finished on the page, by its Finish button.
    first = rehearsal.tasks.get(ref="T-010")
    click_and_wait(page, page.locator(f"#startable-finish-{first.pk}"), re.compile(rf"/cutover/runs/{rehearsal.pk}/"))
    assert page.get_by_text("T-010 finished.").is_visible()
    first.refresh_from_db()
    assert first.status == RunTask.Status.DONE and first.finished_by == lead

    # The rest through the service, each taking its own time: T-030 ran 30 minutes short, T-040 an hour long.
    took = {"T-020": 15, "T-030": 150, "T-040": 150, "T-050": 0, "T-060": 45}
    clock = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    for ref, minutes in took.items():
        task = rehearsal.tasks.get(ref=ref)
        services.run_task_start(run_task=task, actor=lead, now=clock)
        services.run_task_finish(run_task=task, actor=lead, result="pass" if ref == "T-060" else "", now=clock + dt.timedelta(minutes=minutes))
        if ref != "T-030":  # T-040 starts beside T-030
            clock += dt.timedelta(minutes=minutes)
    rehearsal.refresh_from_db()
    assert rehearsal.status == Run.Status.COMPLETE
    visit(page, f"/cutover/runs/{rehearsal.pk}/")
    check_axe(page)
    assert page.get_by_text("Complete", exact=True).first.is_visible()

    # Re-estimate from it: T-010 (one click: 0 minutes), T-030 and T-040 are offered, all chosen; take only T-030's.
    click_and_wait(page, page.get_by_role("button", name="Re-estimate the plan"), f"**/cutover/runs/{rehearsal.pk}/reestimate/")
    assert page.get_by_label("T-030 Migrate the case files: planned 180 min, took 150 min").is_checked()
    page.get_by_label("T-010 Freeze changes to the old system: planned 30 min, took 0 min").uncheck()
    page.get_by_label("T-040 Tell the stations: planned 90 min, took 150 min").uncheck()
    click_and_wait(page, page.get_by_role("button", name="Re-estimate the chosen tasks"), f"**{detail}")
    assert page.get_by_text("The plan's durations have been re-estimated.").is_visible()
    assert dict(Task.objects.filter(runbook=runbook, ref__in=["T-010", "T-030", "T-040"]).values_list("ref", "duration_minutes")) == {
        "T-010": 30, "T-030": 150, "T-040": 90}
    assert page.locator("#projected-finish").inner_text().startswith("Sun 7 Mar 2027 00:00 GMT")  # 30 minutes earlier

    # The live run, counted from the planned start: moved to five minutes ago so it can be run now.
    plan.runbook_update(runbook=runbook, actor=lead, planned_start=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=5))
    visit(page, detail)
    click_and_wait(page, page.get_by_role("link", name="Start a rehearsal or the live run"), f"**{detail}runs/new/")
    page.get_by_label("Live").check()
    page.get_by_role("button", name="Start the run").click()
    page.wait_for_url(re.compile(r"/cutover/runs/\d+/$"))
    check_axe(page)
    live = Run.objects.get(runbook=runbook, kind=Run.Kind.LIVE)
    services.run_task_finish(run_task=live.tasks.get(ref="T-010"), actor=lead)

    # The go/no-go point is held: the page says why and links the review; the service refuses it too.
    decision = live.tasks.get(ref="T-020")
    visit(page, f"/cutover/runs/{live.pk}/")
    check_axe(page)
    gate = page.locator("#gate")
    assert "Go/no-go decision point: held" in gate.inner_text()
    assert "The go/no-go review has not decided yet" in gate.inner_text()
    assert gate.get_by_role("link", name=str(review)).get_attribute("href") == f"/readiness/reviews/{review.pk}/"
    assert page.get_by_text("Held by the go/no-go decision").first.is_visible()
    assert page.locator(f"#startable-finish-{decision.pk}").count() == 0
    with pytest.raises(ValidationError, match="has not decided yet"):
        services.run_task_finish(run_task=decision, actor=lead)
    decision.refresh_from_db()
    assert decision.status == RunTask.Status.PENDING

    # The Board says go; the decision point is finished on the page.
    review_services.review_decide(review=review, decision="go", conditions="", notes="Ready", override_reason="",
                                  held_on=timezone.localdate(), actor=world.users["board"])
    visit(page, f"/cutover/runs/{live.pk}/")
    check_axe(page)
    assert "Go/no-go decision point: open" in page.locator("#gate").inner_text()
    click_and_wait(page, page.locator(f"#startable-finish-{decision.pk}"), re.compile(rf"/cutover/runs/{live.pk}/"))
    assert page.get_by_text("T-020 finished.").is_visible()
    decision.refresh_from_db()
    assert decision.status == RunTask.Status.DONE and decision.finished_by == lead
    assert not page.console_errors, page.console_errors
