"""Characters XLSX and PDF cannot hold (issue 17): cleaned at input (forms,
the API's parsers, imports), NUL refused everywhere, and stripped on output
(exports, the audit export)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from changeboard.core.exports import xlsx_bytes
from changeboard.core.forms import GovukFormMixin
from changeboard.core.models import AuditEntry
from changeboard.core.tabular import ImportFileError, read_sheet
from changeboard.core.text import clean_text, strip_illegal


def test_clean_and_strip() -> None:
    assert clean_text("a\u000bb\u000cc\u0001d\u001fe\ud800f\tg\nh\ri") == "a b cdef\tg\nh\ri"
    assert clean_text("keeps\u0000nul") == "keeps\u0000nul"  # for the field to refuse
    assert strip_illegal("out\u0000put\u000b!") == "output !"
    assert strip_illegal(3) == 3 and strip_illegal(None) is None


class _Form(GovukFormMixin, forms.Form):
    title = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea, required=False)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)


def test_every_text_field_of_a_form_cleans_its_input() -> None:
    form = _Form({"title": "Brief\u000bevery\u0007 shift", "notes": "Line one\u000cline two\r\nthree", "password": "p\u000bw"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Brief every shift"
    assert form.cleaned_data["notes"] == "Line one line two\r\nthree"
    assert form.cleaned_data["password"] == "p\u000bw"  # passwords exactly as typed


def test_a_form_refuses_nul() -> None:
    form = _Form({"title": "Brief\u0000"})
    assert not form.is_valid() and "Null characters are not allowed." in form.errors["title"]


def test_imports_clean_csv_cells_and_refuse_nul() -> None:
    sheet = read_sheet("staff_number,name\r\n100001,Ann\u000bLee\u0002\r\n".encode(), "staff.csv")
    assert sheet.rows == [(2, ["100001", "Ann Lee"])]
    with pytest.raises(ImportFileError):
        read_sheet(b"staff_number,name\r\n100001,Ann\x00\r\n", "staff.csv")


def test_an_xlsx_export_strips_stored_control_characters() -> None:
    data = xlsx_bytes("export", ["Title"], [["Brief\u000bevery\u0000 shift"], ["=SUM(1)\u0001"]])
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows == [("Title",), ("Brief every shift",), ("'=SUM(1)",)]


def test_the_audit_export_succeeds_with_stored_control_characters(client: Any, world: Any) -> None:
    nul = "" if connection.vendor == "postgresql" else "\u0000"  # PostgreSQL cannot store a NUL at all
    AuditEntry.objects.create(action="update", object_type="readiness.action", object_id="1",
                              object_repr=f"Brief\u000bevery{nul} shift\u001f")
    client.force_login(world.users["admin"])
    xlsx = client.get(reverse("audit-list"), {"export": "xlsx"})
    assert xlsx.status_code == 200
    cells = [v for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for v in row]  # type: ignore[union-attr]
    assert "Brief every shift" in cells
    response = client.get(reverse("audit-list"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Brief every shift" in [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_the_api_cleans_text_and_refuses_nul(client: Any, world: Any) -> None:
    from changeboard.readiness.models import Action

    client.force_login(world.users["lead"])
    url = reverse("api-action-list")
    body = {"programme": world.programme_a.pk, "title": "Brief\u000bevery\u0001 shift", "due_date": "2030-01-01"}
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert Action.objects.get(pk=created.json()["id"]).title == "Brief every shift"
    form_encoded = client.post(url, {**body, "title": "Form\u000bencoded"})
    assert form_encoded.status_code == 201 and Action.objects.get(pk=form_encoded.json()["id"]).title == "Form encoded"
    refused = client.post(url, {**body, "title": "Brief\u0000"}, content_type="application/json")
    assert refused.status_code == 400 and "title" in refused.json()


def test_a_page_form_cleans_text_and_refuses_nul(client: Any, world: Any) -> None:
    """Through a real page: raising an action."""
    import datetime as dt

    from changeboard.readiness.models import Action

    client.force_login(world.users["lead"])
    url = reverse("action-create", args=[world.programme_a.pk])
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    refused = client.post(url, {"title": "Brief\u0000", "description": "", "due_date": due})
    assert refused.status_code == 200 and "Null characters are not allowed" in refused.content.decode()
    assert not Action.objects.exists()
    created = client.post(url, {"title": "Brief\u000bevery\u0002 shift", "description": "Line\u000cbreak\u0007", "due_date": due})
    assert created.status_code == 302, created.content.decode()[:2000]
    action = Action.objects.get()
    assert (action.title, action.description) == ("Brief every shift", "Line break")
