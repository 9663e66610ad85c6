"""Browser journey: a change manager opens a runbook's import and export
page, imports a spreadsheet with an error (sees the per-row report), then
a corrected one and an MS Project file, committing each. axe-core runs on
every page visited."""

from __future__ import annotations

from typing import Any

import pytest

from changeboard.conftest import PASSWORD, ensure_ranks
from changeboard.core.tests.browser import check_axe, sign_in, visit

from .fixtures import new_runbook, sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_manager_imports_a_runbook(page: Any, world: Any) -> None:
    ensure_ranks()
    runbook = new_runbook(world)
    sign_in(page, "lead", PASSWORD)
    visit(page, f"/cutover/runbooks/{runbook.pk}/transfer/")
    check_axe(page)
    page.get_by_role("link", name="Import tasks from a spreadsheet (CSV or XLSX)").click()
    page.wait_for_url(f"**/cutover/runbooks/{runbook.pk}/import/")
    check_axe(page)

    broken = sample("tasks.csv").replace(b"T-030,Migrate the case files,Technology,Data,normal,3h", b"T-030,Migrate,Technology,Data,normal,three hours")
    page.get_by_label("Upload the runbook spreadsheet").set_input_files({"name": "tasks.csv", "mimeType": "text/csv", "buffer": broken})
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(f"**/cutover/runbooks/{runbook.pk}/import/*/")
    check_axe(page)
    assert "Not a duration" in page.content()
    page.get_by_role("button", name="Commit import").click()
    page.wait_for_load_state()
    check_axe(page)
    assert "correct them and upload it again" in page.content() and not runbook.tasks.exists()

    page.get_by_role("link", name="Upload a different file").click()
    page.get_by_label("Upload the runbook spreadsheet").set_input_files({"name": "tasks.csv", "mimeType": "text/csv", "buffer": sample("tasks.csv")})
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(f"**/cutover/runbooks/{runbook.pk}/import/*/")
    check_axe(page)
    page.get_by_role("button", name="Commit import").click()
    page.wait_for_url(f"**/cutover/runbooks/{runbook.pk}/")  # the runbook page, with the imported plan
    check_axe(page)
    assert "Imported 5 tasks" in page.content() and runbook.tasks.count() == 5

    page.get_by_role("link", name="Import tasks from MS Project (XML)").click()
    check_axe(page)
    page.get_by_label("Upload the MS Project XML file").set_input_files(
        {"name": "project.xml", "mimeType": "application/xml", "buffer": sample("project.xml")})
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(f"**/cutover/runbooks/{runbook.pk}/import/ms-project/*/")
    check_axe(page)
    assert "will be removed: T-010, T-020, T-030, T-040, T-050" in page.content()
    page.get_by_role("button", name="Commit import").click()
    page.wait_for_url(f"**/cutover/runbooks/{runbook.pk}/")
    assert sorted(runbook.tasks.values_list("ref", flat=True)) == ["2", "3", "5", "6", "7", "8"]
    assert not page.console_errors, page.console_errors
