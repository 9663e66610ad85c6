"""Single sign-on changes how people sign in, never what they may see: every
page and API list of every app that takes no arguments answers each persona
the same (status, and where a redirect goes) with single sign-on on, signed
in through the SSO backend, as with it off, signed in with a password. The
permission matrices of each app (run with it off) then hold with it on.

Left out, because SSO is meant to change them: signing in and out, and the
provider's own paths."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse

from changeboard.core.tests.test_permissions import PERSONAS

from .test_claim_rule_permissions import SSO_SETTINGS, _sso_client

SIGN_IN_AND_OUT = ("login", "logout", "oidc_", "sso-", "password")


def argument_free_urls() -> list[tuple[str, str]]:
    """(name, path) of every named URL that takes no arguments."""
    found = []
    for name in get_resolver().reverse_dict:
        if not isinstance(name, str) or name.startswith(SIGN_IN_AND_OUT) or "logout" in name:
            continue
        try:
            found.append((name, reverse(name)))
        except NoReverseMatch:
            continue  # it takes arguments
    return sorted(found)


def answers(client: Any) -> dict[str, tuple[int, str]]:
    result = {}
    for name, path in argument_free_urls():
        response = client.get(path, HTTP_ACCEPT="text/html" if not path.startswith("/api/") else "application/json")
        result[name] = (response.status_code, response.get("Location", ""))
    return result


@pytest.mark.timeout(900)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_the_same_with_single_sign_on_on(client: Any, world: Any, settings: Any, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(world.users[persona])
    off = answers(client)
    client.logout()
    for name, value in SSO_SETTINGS.items():
        setattr(settings, name, value)
    on = answers(_sso_client(client, world, persona))
    assert len(off) > 100  # every app's list pages and API lists, not a handful
    assert {name: (off[name], on[name]) for name in off if off[name] != on[name]} == {}
    if persona != "anonymous":
        assert any(status == 200 for status, _ in on.values())
