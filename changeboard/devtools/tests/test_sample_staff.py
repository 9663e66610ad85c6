"""The README's sample staff file fits the demo force: every unit path in it
is a unit of `seed --scale demo`, and importing it there in add and update
only mode (as the README says) adds its eight people, creates no unit and
marks nobody as a leaver."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from changeboard.organisation import importing
from changeboard.organisation.models import Staff, Unit

pytestmark = pytest.mark.django_db

SAMPLES = [Path(settings.BASE_DIR) / "docs" / "sample-staff.csv",
           Path(importing.__file__).parent / "sample-staff.csv"]


@pytest.fixture
def demo(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed", "--scale", "demo", stdout=io.StringIO())


def test_every_unit_path_in_the_sample_is_in_the_demo_tree_and_it_imports_in_add_update_only_mode(demo: None, tmp_path: Path) -> None:
    units = set(Unit.objects.values_list("full_path", flat=True))
    for sample in SAMPLES:
        paths = {row["unit_path"] for row in csv.DictReader(io.StringIO(sample.read_text(encoding="utf-8")))}
        assert paths and paths <= units, (sample, sorted(paths - units))

    in_post = Staff.objects.current().count()
    leavers = Staff.objects.filter(is_leaver=True).count()
    unit_count = Unit.objects.count()
    # A full import would mark everyone else as leavers: refused without confirmation.
    with pytest.raises(importing.LeaversNotConfirmed):
        importing.commit(SAMPLES[0].read_bytes(), "sample-staff.csv", actor=None)
    # The README's command.
    out = io.StringIO()
    call_command("import_staff", str(SAMPLES[0]), "--add-update-only", stdout=out)
    assert "Imported 8 of 8 rows: 8 added" in out.getvalue()
    assert Unit.objects.count() == unit_count
    assert Staff.objects.filter(is_leaver=True).count() == leavers
    assert Staff.objects.current().count() == in_post + 7  # one of the eight left in March 2026
