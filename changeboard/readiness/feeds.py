"""Figures that apps above readiness provide to it, registered from their
`AppConfig.ready()` (readiness never imports them: `core/tests/test_layers.py`).

- The "support" feed (`Criterion.Feed.SUPPORT`, "Hypercare training gaps"):
  a function giving, for a criterion and the units it assesses, each unit's
  (RAG, value, as-of date), as the score and training feeds do. The
  hypercare app registers it: open training-gap queries per 100 staff in
  the units already live, for the roles of the unit going live.
- Training gaps found in earlier waves, for a review's page and snapshot:
  a function giving rows of plain data (JSON-ready) for a review, each with
  `source` (the earlier wave), `role`, `open`, `total` and `titles` (the
  most frequent query titles). Readiness renders whatever rows it is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from changeboard.organisation.models import Unit

    from .models import Criterion, Review

SupportResults = Callable[["Criterion", list["Unit"], dt.date], dict[int, tuple[str, str, dt.date | None]]]
TrainingGapRows = Callable[["Review"], list[dict[str, Any]]]

_support_results: list[SupportResults] = []
_training_gap_rows: list[TrainingGapRows] = []

NOT_INSTALLED = "No hypercare figures"


def register_support_results(provider: SupportResults) -> None:
    """Called once by the hypercare app's `ready()`."""
    _support_results[:] = [provider]


def register_training_gap_rows(provider: TrainingGapRows) -> None:
    """Called once by the hypercare app's `ready()`."""
    _training_gap_rows[:] = [provider]


def support_results(criterion: Criterion, units: list[Unit], today: dt.date) -> dict[int, tuple[str, str, dt.date | None]]:
    """Each unit's (RAG, value, as of) for a support-fed criterion; "not
    enough data" for every unit when no provider is registered."""
    if not _support_results:
        return {unit.pk: ("no_data", NOT_INSTALLED, today) for unit in units}
    return _support_results[0](criterion, units, today)


def training_gap_rows(review: Review) -> list[dict[str, Any]]:
    """Training gaps found in earlier waves for the roles of the review's wave (none without a provider)."""
    if not _training_gap_rows:
        return []
    return _training_gap_rows[0](review)
