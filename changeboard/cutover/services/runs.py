"""Rehearsals and the live run (filled in by the runs work)."""

from __future__ import annotations


def runs_pause_on_no_go(*, review_id: int) -> int:
    """Pause the open live runs of the review's wave when it records a no-go."""
    return 0
