"""Test helpers for the capability app (any part's tests may use them):
practitioners and assessments written straight to the database, on the
default framework (`seeding.ensure_default_framework`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from changeboard.organisation.models import Staff
from changeboard.portfolio.models import Programme

from ..models import Assessment, Framework, Practitioner, PractitionerRole, Rating
from ..seeding import ensure_default_framework


def framework() -> Framework:
    ensure_default_framework()
    current = Framework.current()
    assert current is not None
    return current


def make_practitioner(staff: Staff, *, role_name: str = "Business change lead", user: Any = None, coach: Any = None,
                      programmes: Iterable[Programme] = ()) -> Practitioner:
    role = PractitionerRole.objects.get(framework=framework(), name=role_name)
    practitioner = Practitioner.objects.create(staff=staff, role=role, user=user, coach=coach)
    practitioner.programmes.set(list(programmes))
    return practitioner


def make_assessment(practitioner: Practitioner, kind: str = "self", *, levels: dict[str, int] | None = None, level: int = 2,
                    assessed_on: dt.date | None = None, assessor: Any = None) -> Assessment:
    """An assessment rating every competency of the current framework:
    `levels` by competency code, `level` for the rest."""
    assessment = Assessment.objects.create(practitioner=practitioner, kind=kind, assessor=assessor,
                                           assessed_on=assessed_on or dt.date(2026, 6, 1))
    Rating.objects.bulk_create([Rating(assessment=assessment, competency=c, level=(levels or {}).get(c.code, level))
                                for c in framework().competencies.all()])
    return assessment


def ratings_for(level: int = 2, **by_code: int) -> dict[int, int]:
    """`{competency_id: level}` for every competency of the current framework
    (codes with hyphens as underscores in `by_code`)."""
    codes = {k.replace("_", "-"): v for k, v in by_code.items()}
    return {c.pk: codes.get(c.code, level) for c in framework().competencies.all()}
