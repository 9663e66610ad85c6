"""Browser journey for board packs: a Board member asks for this month's
pack, watches its status change without reloading while the worker builds
it, and downloads the PDF and the spreadsheet. axe-core runs on every page
visited."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.reports import packs
from changeboard.reports.models import BoardPack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_later(settings: Any) -> None:
    """Requests only queue the build (as with the real worker), so the page
    is seen waiting; the test then plays the worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_a_board_member_requests_and_downloads_this_months_pack(page: Any, world: Any, worker_later: None, tmp_path: Path) -> None:
    first = timezone.localdate().replace(day=1)
    sign_in(page, "board", PASSWORD)
    visit(page, "/board/packs/")
    assert page.get_by_text("No board pack has been generated yet.").is_visible()

    # A date in the future is refused with the GOV.UK error summary.
    page.get_by_label("Data as of").fill((timezone.localdate() + dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Generate pack").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "today or in the past" in summary.inner_text()
    check_axe(page)

    page.get_by_label("Data as of").fill(first.isoformat())
    page.get_by_role("button", name="Generate pack").click()
    title = packs.pack_title(first)
    page.wait_for_url("**/board/packs/*/")
    assert page.get_by_role("heading", name=title, level=1).is_visible()
    status = page.locator("#pack-status")
    assert "Queued" in status.inner_text()
    check_axe(page)

    # The worker builds it; the polled status region notices and the page
    # reloads with the downloads.
    pack = BoardPack.objects.get()
    assert packs.pack_build(pack.pk) == BoardPack.Status.READY
    page.get_by_role("heading", name="Download the pack").wait_for(timeout=20000)
    assert "Ready" in page.locator("#pack-status").inner_text()
    assert page.get_by_role("heading", name="What changed since the previous pack").is_visible()
    assert page.get_by_text("This is the first board pack").is_visible()
    check_axe(page)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name=re.compile(r"^PDF document\b.*" + re.escape(title))).click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf_download.value.suggested_filename == f"board-pack-{first.isoformat()}.pdf"
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name=re.compile(r"^Excel spreadsheet \(XLSX\)\W.*" + re.escape(title))).click()
    workbook = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    assert workbook.sheetnames[:2] == ["Exceptions", "Programmes"]
    assert [row[0] for row in workbook["Programmes"].iter_rows(min_row=2, values_only=True)] == ["AAA", "BBB"]

    # Back on the list, the pack is there, ready.
    visit(page, "/board/packs/")
    row = page.get_by_role("row").filter(has_text=title)
    assert "Ready" in row.inner_text() and "Board Tester" in row.inner_text()
    assert not page.console_errors, page.console_errors
