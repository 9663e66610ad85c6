"""Issue 18: the board pack of a seeded world. "Not enough data" is its own
section and sheet, never a not-ready exception, and no page of the pack says
a bare "None"."""

from __future__ import annotations

import io
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from changeboard.accounts.models import User
from changeboard.core.files import read_stored
from changeboard.reports import packs
from changeboard.reports.models import BoardPack

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_seeded_pack_has_no_none_and_not_enough_data_apart(django_capture_on_commit_callbacks: Any) -> None:
    call_command("seed", "--scale", "tiny", stdout=StringIO())
    admin = User.objects.filter(is_superuser=True).first() or User.objects.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        pack = packs.pack_request(as_of=timezone.localdate(), actor=admin, notify=False)
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.READY, pack.error
    html = pack.html
    assert re.search(r"\bNone\b", html) is None, html[max(0, html.find("None") - 200):html.find("None") + 50]
    assert pack.content is not None and pack.xlsx is not None
    portfolio = pack.content["portfolio"]
    # A not-ready exception always has a reason other than a missing figure.
    for row in portfolio["not_ready"]:
        assert row["reds"] or row["score"]["shown"], row
        assert "Not enough data" not in row["reasons"] and "No survey results yet" not in row["reasons"]
    if portfolio["no_data"]:
        assert html.index('id="exceptions"') < html.index('id="no-data"')
        assert f"Not enough data: {len(portfolio['no_data'])} unit" in html
    book = load_workbook(io.BytesIO(read_stored(pack.xlsx)))
    assert "Not enough data" in book.sheetnames
    assert book["Not enough data"].max_row == 1 + len(portfolio["no_data"])
    kinds = [r[0] for r in book["Exceptions"].iter_rows(min_row=2, values_only=True)]
    assert len([k for k in kinds if k == "Not ready for its wave"]) == len(portfolio["not_ready"])
