"""The persona x URL matrix of the claim-rule pages and API (admins change,
auditors read, nobody else), the single sign-on paths, and the core
permission matrix run again with single sign-on on."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests import test_permissions as core_matrix
from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import ClaimRule, Role
from ..services import claim_rule_create

COVERED_NAMES = {"claim-rule-list", "claim-rule-create", "claim-rule-detail", "claim-rule-edit", "api-claim-rule-list", "api-claim-rule-detail",
                 "oidc_authentication_init", "oidc_authentication_callback", "sso-no-access"}

AUDIT = expect(admin=OK, auditor=OK)
ADMIN_ONLY = expect(admin=OK)
NOT_FOUND = expect(HIDDEN, anonymous=HIDDEN)
PUBLIC = expect(OK, anonymous=OK)

# Single sign-on switched on with a provider that is never reached: the
# matrix only needs the settings (sessions are made by force_login).
SSO_SETTINGS = {
    "OIDC_RP_CLIENT_ID": "changeboard", "OIDC_RP_CLIENT_SECRET": "not-a-real-secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "http://127.0.0.1:1/o/authorize/", "OIDC_OP_TOKEN_ENDPOINT": "http://127.0.0.1:1/o/token/",
    "OIDC_OP_USER_ENDPOINT": "http://127.0.0.1:1/o/userinfo/", "OIDC_OP_JWKS_ENDPOINT": "http://127.0.0.1:1/o/jwks/",
    "OIDC_OP_LOGOUT_ENDPOINT": "http://127.0.0.1:1/o/logout/", "LOCAL_PASSWORD_LOGIN": "break-glass",
}


@pytest.fixture
def rule(world: Any) -> ClaimRule:
    return claim_rule_create(claim_value="CB.Lead.A", role=Role.CHANGE_MANAGER, programmes=[world.programme_a], actor=world.users["admin"])


PAGES: list[tuple[str, Callable[[ClaimRule], dict[str, Any]], dict[str, Any]]] = [
    ("claim-rule-list", lambda r: {}, AUDIT),
    ("claim-rule-detail", lambda r: {"pk": r.pk}, AUDIT),
    ("claim-rule-create", lambda r: {}, ADMIN_ONLY),
    ("claim-rule-edit", lambda r: {"pk": r.pk}, ADMIN_ONLY),
    ("sso-no-access", lambda r: {}, PUBLIC),
    ("oidc_authentication_init", lambda r: {}, NOT_FOUND),  # single sign-on is off
    ("oidc_authentication_callback", lambda r: {}, NOT_FOUND),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, world: Any, rule: ClaimRule, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, world, persona).get(reverse(name, kwargs=kwargs(rule))), expected[persona])


def _body(world: Any) -> dict[str, Any]:
    return {"claim_value": "CB.New", "role": Role.CHANGE_MANAGER, "programmes": [world.programme_b.pk], "description": "New"}


API: list[tuple[str, str, Callable[[ClaimRule], dict[str, Any]], dict[str, Any]]] = [
    ("get", "api-claim-rule-list", lambda r: {}, {**AUDIT, "anonymous": API_LOGIN}),
    ("get", "api-claim-rule-detail", lambda r: {"pk": r.pk}, {**AUDIT, "anonymous": API_LOGIN}),
    ("post", "api-claim-rule-list", lambda r: {}, {**expect(admin=201), "anonymous": API_LOGIN}),
    ("patch", "api-claim-rule-detail", lambda r: {"pk": r.pk}, {**expect(admin=OK), "anonymous": API_LOGIN}),
    ("delete", "api-claim-rule-detail", lambda r: {"pk": r.pk}, {**expect(405, board=DENY, lead=DENY, lead2=DENY, champion=DENY, auditor=DENY), "anonymous": API_LOGIN}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, world: Any, rule: ClaimRule, persona: str, method: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    c = _client(client, world, persona)
    url = reverse(name, kwargs=kwargs(rule))
    if method == "get":
        response = c.get(url, HTTP_ACCEPT="application/json")
    elif method == "patch":
        response = c.patch(url, {"description": "Changed"}, content_type="application/json")
    elif method == "delete":
        response = c.delete(url)
    else:
        response = c.post(url, _body(world), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


# ---------------------------------------------------------------- with single sign-on on


@pytest.fixture
def sso_on(settings: Any) -> None:
    for name, value in SSO_SETTINGS.items():
        setattr(settings, name, value)


def _sso_client(client: Any, world: Any, persona: str) -> Any:
    """A persona signed in as single sign-on signs them in (the session's
    backend is the SSO backend, its ID token fresh)."""
    if persona != "anonymous":
        client.force_login(world.users[persona], backend="changeboard.accounts.sso.SSOBackend")
        session = client.session
        session["oidc_id_token_expiration"] = time.time() + 3600
        session.save()
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), core_matrix.PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(core_matrix.PAGES)])
def test_core_page_matrix_with_sso_on(sso_on: None, client: Any, world: Any, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_sso_client(client, world, persona).get(reverse(name, kwargs=kwargs(world))), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "expected"), core_matrix.API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(core_matrix.API)])
def test_core_api_matrix_with_sso_on(sso_on: None, client: Any, world: Any, persona: str, method: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    c = _sso_client(client, world, persona)
    url = reverse(name, kwargs=kwargs(world))
    response = c.get(url, HTTP_ACCEPT="application/json") if method == "get" else getattr(c, method)(url, core_matrix.API_BODIES[method], content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_sso_paths_with_sso_on(sso_on: None, client: Any, world: Any, persona: str) -> None:
    """Starting single sign-on goes to the provider for anyone; a callback
    with no sign-in under way is refused; nobody is signed in by it."""
    c = _sso_client(client, world, persona)
    response = c.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302 and response["Location"].startswith(SSO_SETTINGS["OIDC_OP_AUTHORIZATION_ENDPOINT"])
    refused = c.get(reverse("oidc_authentication_callback") + "?code=x&state=y")
    assert refused.status_code in {302, 400}


def test_an_expired_id_token_renews_through_the_provider(sso_on: None, client: Any, world: Any) -> None:
    """SessionRefresh: a page request after OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS
    goes by the provider (prompt=none), so the claim rules run again."""
    _sso_client(client, world, "board")
    session = client.session
    session["oidc_id_token_expiration"] = time.time() - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(SSO_SETTINGS["OIDC_OP_AUTHORIZATION_ENDPOINT"])
    assert "prompt=none" in response["Location"]


def test_a_password_session_is_never_sent_to_the_provider(sso_on: None, client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    assert client.get("/").status_code == 200


def test_admin_adds_and_edits_a_rule_through_the_pages(client: Any, world: Any) -> None:
    from changeboard.core.models import AuditEntry

    client.force_login(world.users["admin"])
    missing = client.post(reverse("claim-rule-create"), {"claim_value": "CB.Champion", "role": Role.CHAMPION, "is_active": "on"})
    assert missing.status_code == 200 and b"Choose at least one unit" in missing.content
    blank = client.post(reverse("claim-rule-create"), {"claim_value": "  ", "role": Role.BOARD, "is_active": "on"})
    assert blank.status_code == 200 and not ClaimRule.objects.exists()
    response = client.post(reverse("claim-rule-create"), {"claim_value": "CB.Champion", "role": Role.CHAMPION, "units": [world.camden.pk],
                                                          "description": "Camden champions", "is_active": "on"})
    assert response.status_code == 302
    rule = ClaimRule.objects.get(claim_value="CB.Champion")
    assert list(rule.units.all()) == [world.camden]
    duplicate = client.post(reverse("claim-rule-create"), {"claim_value": "CB.Champion", "role": Role.BOARD, "is_active": "on"})
    assert duplicate.status_code == 200 and ClaimRule.objects.count() == 1
    client.post(reverse("claim-rule-edit", args=[rule.pk]), {"claim_value": "CB.Champion", "role": Role.CHAMPION, "units": [world.camden.pk],
                                                              "description": "Camden champions"})  # is_active unticked
    rule.refresh_from_db()
    assert not rule.is_active
    entries = AuditEntry.objects.filter(object_type="accounts.claimrule", object_id=str(rule.pk))
    assert {e.action for e in entries} == {"create", "update"}
    assert b"CB.Champion" in client.get(reverse("claim-rule-list")).content


def test_the_api_checks_the_scope_of_a_role(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    url = reverse("api-claim-rule-list")
    bad = client.post(url, {"claim_value": "CB.Lead", "role": Role.CHANGE_MANAGER}, content_type="application/json")
    assert bad.status_code == 400 and "programmes" in bad.json()
    blank = client.post(url, {"claim_value": "   ", "role": Role.BOARD}, content_type="application/json")
    assert blank.status_code == 400
    made = client.post(url, _body(world), content_type="application/json")
    assert made.status_code == 201
    rule = ClaimRule.objects.get(claim_value="CB.New")
    switched = client.patch(reverse("api-claim-rule-detail", args=[rule.pk]), {"role": Role.CHAMPION}, content_type="application/json")
    assert switched.status_code == 400 and "units" in switched.json()
