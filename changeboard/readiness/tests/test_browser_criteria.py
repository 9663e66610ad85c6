"""Browser journey for readiness criteria: a Board member opens the
programme's criteria list, reads the matrix, opens a criterion, sees its
units' statuses and evidence, and downloads a file of evidence. axe-core
runs on every page visited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import sign_in, visit
from changeboard.readiness.models import CriterionStatus, Rag
from changeboard.readiness.services import criteria as services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_board_member_reads_criteria_and_downloads_evidence(page: Any, world: Any) -> None:
    lead = world.users["lead"]
    criterion = services.criterion_save(programme=world.programme_a, actor=lead, title="Local process signed off", criticality="critical",
                                        owner=lead, measure="Sign-off by the BCU commander")
    services.criterion_save(programme=world.programme_a, actor=lead, title="Officers trained", feed="training", course="SBS-101",
                            threshold=90)
    status = CriterionStatus.objects.get(criterion=criterion, unit=world.central_west)
    services.status_set(status=status, rag=Rag.RED, note="Sign-off meeting moved to next month", actor=lead)
    services.evidence_add(criterion=criterion, title="Sign-off minutes", file=SimpleUploadedFile("minutes.pdf", PDF), actor=lead)
    services.evidence_add(criterion=criterion, title="Process map", url="https://intranet.example/map", actor=lead)

    sign_in(page, "board", PASSWORD)
    visit(page, world.programme_a.get_absolute_url())
    page.get_by_role("link", name="Readiness criteria").click()
    page.wait_for_url(f"**/readiness/programmes/{world.programme_a.pk}/criteria/")
    visit(page, page.url)
    matrix = page.get_by_role("table", name="Each unit's status on each criterion shown above")
    assert "Central West BCU" in matrix.inner_text() and "Red" in matrix.inner_text()
    assert page.get_by_role("link", name="Add a criterion").count() == 0  # the Board reads only

    page.get_by_role("link", name="Local process signed off").first.click()
    page.wait_for_url(f"**{criterion.get_absolute_url()}")
    visit(page, page.url)
    statuses = page.get_by_role("table", name="Each unit's status on Local process signed off")
    assert "Sign-off meeting moved to next month" in statuses.inner_text()
    assert page.get_by_role("link", name="Process map").get_attribute("href") == "https://intranet.example/map"
    assert page.get_by_role("link", name="Edit the criterion").count() == 0

    with page.expect_download() as caught:
        page.get_by_role("link", name="Sign-off minutes").click()
    download = caught.value
    assert download.suggested_filename == "minutes.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF
    assert not page.console_errors
