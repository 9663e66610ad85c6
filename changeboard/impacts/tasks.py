"""Background work for impacts (Django's tasks framework)."""

from __future__ import annotations

from django.tasks import task


@task
def refresh_all_reach() -> int:
    """Recount every impact line's reach after the staff changed."""
    from .services import reach_refresh_all

    return reach_refresh_all()
