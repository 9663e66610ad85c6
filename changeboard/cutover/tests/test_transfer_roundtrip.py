"""A runbook exported and imported back is the same runbook: CSV, XLSX and
MS Project XML, on a runbook with all four link types, lags and leads,
fixed starts, due times, outline levels, owners and a rollback point."""

from __future__ import annotations

from typing import Any

import pytest

from ..exporting import runbook_mspdi, runbook_rows
from ..importing import HEADERS, MspdiImporter, TaskImporter
from ..models import Dependency, LinkType, Task
from .fixtures import as_file, full_runbook, new_runbook, snapshot


def _export(runbook: Any, fmt: str) -> tuple[bytes, str]:
    if fmt == "xml":
        return runbook_mspdi(runbook), "runbook.xml"
    return as_file(fmt, HEADERS, runbook_rows(runbook))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xml"])
def test_export_then_import_into_an_empty_runbook_is_the_same_runbook(world: Any, fmt: str) -> None:
    source = full_runbook(world)
    assert {link_type for link_type in Dependency.objects.values_list("link_type", flat=True)} == set(LinkType.values)
    assert Dependency.objects.filter(lag_minutes__lt=0).exists() and Task.objects.filter(not_before__isnull=False).exists()
    data, name = _export(source, fmt)
    target = new_runbook(world, title="Copy")
    importer = MspdiImporter(target) if fmt == "xml" else TaskImporter(target)
    report = importer.commit(data, name, actor=world.users["lead"])
    assert report.problems == [] and report.created == 6
    # MS Project has no place for an email's text: the rest is the same.
    messages = fmt != "xml"
    assert snapshot(target, messages=messages) == snapshot(source, messages=messages)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xml"])
def test_importing_a_runbooks_own_export_changes_nothing(world: Any, fmt: str) -> None:
    runbook = full_runbook(world)
    before = snapshot(runbook)
    pks = sorted(runbook.tasks.values_list("pk", flat=True))
    data, name = _export(runbook, fmt)
    importer = MspdiImporter(runbook) if fmt == "xml" else TaskImporter(runbook)
    report = importer.commit(data, name, actor=world.users["lead"])
    assert (report.created, report.updated, report.removed) == (0, 6, [])
    assert snapshot(runbook) == before and sorted(runbook.tasks.values_list("pk", flat=True)) == pks
