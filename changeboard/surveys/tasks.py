"""Background work for surveys: tasks take ids or nothing and call services."""

from __future__ import annotations

from typing import Any

from django.tasks import task


@task
def open_due_waves() -> dict[str, Any]:
    """Send the waves whose opening date has come (after a launch)."""
    from .services import open_due

    return open_due().as_dict()


@task
def survey_tick() -> dict[str, Any]:
    """The regular pass: close, open, remind and purge."""
    from .services import tick

    return tick()
