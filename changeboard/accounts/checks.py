"""Deployment checks: production must not run with the demo accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from .models import User


def demo_accounts_present() -> bool:
    try:
        return User.objects.filter(is_demo=True).exists()
    except DatabaseError:
        return False  # not migrated yet: nothing to refuse


def refuse_demo_accounts_in_production() -> None:
    """Called when the production web app loads: refuse to start."""
    if settings.PRODUCTION and demo_accounts_present():
        raise ImproperlyConfigured(
            "Demo accounts exist in this database; production refuses to start. "
            "Remove them with `manage.py remove_demo_accounts`."
        )


@register(Tags.security, Tags.database, deploy=True)
def check_demo_accounts(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not kwargs.get("databases"):
        return []
    if settings.PRODUCTION and demo_accounts_present():
        return [Error("Demo accounts exist in a production database.", id="changeboard.E001")]
    return []
