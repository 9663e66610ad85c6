"""Background work for readiness: tasks take ids and call the module that does the work."""

from __future__ import annotations

from django.tasks import task


@task
def rebuild_tallies(wave_ids: list[int]) -> int:
    """Rebuild the element tallies of these waves (after a bulk load)."""
    from .tallies import rebuild

    return rebuild(wave_ids)
