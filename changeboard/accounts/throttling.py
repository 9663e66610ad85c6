"""Sign-in throttling: django-axes with two limits.

Axes counts failures for every set in AXES_LOCKOUT_PARAMETERS (here a
username from one address, and a username from any address) but compares
them all with one AXES_FAILURE_LIMIT. This handler scales each set's count to
that limit, so a username is locked after LOGIN_FAILURE_LIMIT failures from
one address or LOGIN_ACCOUNT_FAILURE_LIMIT failures from any addresses,
whichever comes first. The lock-out page and its message are axes' usual ones.

A failed single sign-on callback has no username: axes would count it
against the username "None", so ten failures by anyone would lock everyone
out of single sign-on. Only failures naming a username are counted (the
provider throttles its own password prompt).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def parameter_limit(parameter: str | list[str]) -> int:
    """The failure limit of one lockout parameter set."""
    names = [parameter] if isinstance(parameter, str) else list(parameter)
    if names == ["username"]:
        return int(settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
    return int(settings.AXES_FAILURE_LIMIT)


class LoginAttemptHandler(AxesDatabaseHandler):
    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
        if not (credentials or {}).get("username"):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        base = int(settings.AXES_FAILURE_LIMIT)
        parameters = get_lockout_parameters(request, credentials)
        failures = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            limit = parameter_limit(parameter)
            # count >= limit exactly when the scaled count reaches the base limit.
            failures = max(failures, count * base // limit)
        return failures
