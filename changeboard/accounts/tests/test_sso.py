"""Single sign-on against the real local provider (a subprocess): code flow
with PKCE and an RS256 ID token checked against its JWKS, just-in-time
accounts linked to the HR record, role and scope from the claim rules, no
rule no access, disabled accounts losing their sessions, sign-out at the
provider."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from django.contrib.auth import SESSION_KEY
from rest_framework.authtoken.models import Token

from changeboard.accounts.models import ClaimRule, Role, User
from changeboard.accounts.services import claim_rule_create, user_update
from changeboard.core.models import AuditEntry

from .idp import Browser, Provider, callback_path, sign_in, start

pytestmark = pytest.mark.django_db


def _person(provider: Provider, *, roles: list[str], email: str | None = None, employeeid: str = "") -> str:
    username = f"p{uuid.uuid4().hex[:10]}"
    provider.adduser(username, roles=roles, email=email if email is not None else f"{username}@idp.example", employeeid=employeeid)
    return username


def _signed_in_user(client: Any) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def test_sign_in_end_to_end_creates_the_account_with_the_role_from_the_claim(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Lead.A", role=Role.CHANGE_MANAGER, programmes=[world.programme_a], actor=world.users["admin"])
    username = _person(sso, roles=["CB.Lead.A"])
    authorize = start(client)
    query = parse_qs(urlparse(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"] and query["nonce"] and query["state"]
    before = client.cookies.get("sessionid").value if client.cookies.get("sessionid") else None
    response = client.get(callback_path(Browser().authorize(authorize, username)))
    assert response.status_code == 302 and response["Location"] == "/"
    user = _signed_in_user(client)
    assert user is not None and user.oidc_subject and user.username.startswith("sso-")
    assert user.role == Role.CHANGE_MANAGER and list(user.programmes.all()) == [world.programme_a]
    assert user.email == f"{username}@idp.example" and user.first_name == "Test" and not user.has_usable_password()
    assert client.cookies["sessionid"].value != before  # a new session key at sign-in
    header = jwt.get_unverified_header(client.session["oidc_id_token"])
    assert header["alg"] == "RS256" and header["kid"]
    created = AuditEntry.objects.get(object_type="accounts.user", object_id=str(user.pk), action="create")
    assert created.after is not None and created.after["event"] == "user_created_by_sso"
    assert AuditEntry.objects.filter(action="login", actor=user, after__method="sso").exists()
    assert client.get(world.programme_a.get_absolute_url()).status_code == 200
    assert client.get(world.programme_b.get_absolute_url()).status_code == 404


def test_the_account_is_linked_to_the_hr_record_by_email_whatever_its_case(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    username = _person(sso, roles=["CB.Board"], email=world.staff_in.email.upper())
    assert sign_in(client, username).status_code == 302
    user = _signed_in_user(client)
    assert user is not None and user.staff == world.staff_in and user.role == Role.BOARD


def test_the_account_is_linked_to_the_hr_record_by_staff_number(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    username = _person(sso, roles=["CB.Board"], employeeid=world.staff_out.staff_number)
    assert sign_in(client, username).status_code == 302
    user = _signed_in_user(client)
    assert user is not None and user.staff == world.staff_out


def test_no_hr_record_links_nothing_and_the_next_sign_in_finds_the_same_account(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    username = _person(sso, roles=["CB.Board"], employeeid="999999")
    sign_in(client, username)
    first = _signed_in_user(client)
    assert first is not None and first.staff is None
    client.post("/logout/")
    sign_in(client, username)
    assert _signed_in_user(client) == first and User.objects.filter(oidc_subject=first.oidc_subject).count() == 1


def test_an_account_made_before_single_sign_on_is_taken_over_by_email(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    lead = world.users["lead"]
    user_update(user=lead, actor=None, email="lead.person@example.police.uk")
    username = _person(sso, roles=["CB.Board"], email="Lead.Person@example.police.uk")
    sign_in(client, username)
    lead.refresh_from_db()
    assert _signed_in_user(client) == lead and lead.oidc_subject and lead.role == Role.BOARD  # the claim decides the role


def test_a_break_glass_account_is_never_taken_over_by_email(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    admin = world.users["admin"]
    user_update(user=admin, actor=None, email="root@example.police.uk", break_glass=True)
    sign_in(client, _person(sso, roles=["CB.Board"], email="root@example.police.uk"))
    user = _signed_in_user(client)
    assert user is not None and user != admin and user.role == Role.BOARD
    admin.refresh_from_db()
    assert admin.oidc_subject is None and admin.role == Role.ADMIN


def test_several_rules_the_highest_role_wins_and_its_scopes_are_united(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Lead.A", role=Role.CHANGE_MANAGER, programmes=[world.programme_a], actor=None)
    claim_rule_create(claim_value="CB.Lead.B", role=Role.CHANGE_MANAGER, programmes=[world.programme_b], actor=None)
    claim_rule_create(claim_value="CB.Champion", role=Role.CHAMPION, units=[world.camden], actor=None)
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    sign_in(client, _person(sso, roles=["CB.Board", "CB.Lead.A", "CB.Champion", "CB.Lead.B", "Unrelated.Role"]))
    user = _signed_in_user(client)
    assert user is not None and user.role == Role.CHANGE_MANAGER
    assert set(user.programmes.all()) == {world.programme_a, world.programme_b} and not user.units.exists()


def test_a_champion_and_a_board_claim_make_a_champion_with_the_units(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Champion.W", role=Role.CHAMPION, units=[world.westminster], actor=None)
    claim_rule_create(claim_value="CB.Champion.C", role=Role.CHAMPION, units=[world.camden], actor=None)
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    sign_in(client, _person(sso, roles=["CB.Board", "CB.Champion.W", "CB.Champion.C"]))
    user = _signed_in_user(client)
    assert user is not None and user.role == Role.CHAMPION and set(user.units.all()) == {world.westminster, world.camden}


def test_an_inactive_rule_grants_nothing(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Admin", role=Role.ADMIN, is_active=False, actor=None)
    claim_rule_create(claim_value="CB.Auditor", role=Role.AUDITOR, actor=None)
    sign_in(client, _person(sso, roles=["CB.Admin", "CB.Auditor"]))
    user = _signed_in_user(client)
    assert user is not None and user.role == Role.AUDITOR and not user.is_staff


@pytest.mark.parametrize("roles", [[], ["Not.A.Changeboard.Role"]])
def test_no_matching_rule_no_access_and_no_account(client: Any, world: Any, sso: Provider, roles: list[str]) -> None:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    count = User.objects.count()
    response = sign_in(client, _person(sso, roles=roles))
    assert response.status_code == 302 and response["Location"] == "/login/no-access/"
    assert _signed_in_user(client) is None and User.objects.count() == count
    page = client.get("/login/no-access/")
    assert page.status_code == 200 and b"You do not have access to Changeboard" in page.content


def test_a_claim_taken_away_makes_the_account_inactive_at_the_next_sign_in(client: Any, world: Any, sso: Provider) -> None:
    rule = claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    username = _person(sso, roles=["CB.Board"])
    sign_in(client, username)
    user = _signed_in_user(client)
    assert user is not None
    client.post("/logout/")
    rule.is_active = False
    rule.save()
    response = sign_in(client, username)
    assert response["Location"] == "/login/no-access/" and _signed_in_user(client) is None
    user.refresh_from_db()
    assert not user.is_active
    entry = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk), action="update").latest("timestamp")
    assert entry.after is not None and entry.after["event"] == "user_disabled_by_sso" and entry.actor is None
    # The claim coming back does not re-enable an account switched off: an admin does.
    rule.is_active = True
    rule.save()
    assert sign_in(client, username)["Location"] == "/login/no-access/"


def test_a_disabled_account_loses_its_sessions_and_tokens_at_once(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    sign_in(client, _person(sso, roles=["CB.Board"]))
    user = _signed_in_user(client)
    assert user is not None and client.get("/").status_code == 200
    token = Token.objects.create(user=user)
    api = {"authorization": f"Token {token.key}", "accept": "application/json"}
    from django.test import Client

    assert Client().get("/api/v1/programmes/", headers=api).status_code == 200
    user_update(user=user, actor=world.users["admin"], is_active=False)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/api/v1/programmes/", HTTP_ACCEPT="application/json").status_code in {401, 403}
    assert Client().get("/api/v1/programmes/", headers=api).status_code == 401


def test_a_disabled_password_account_loses_its_session_too(client: Any, world: Any) -> None:
    from changeboard.conftest import PASSWORD

    assert client.post("/login/", {"username": "board", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    user_update(user=world.users["board"], actor=world.users["admin"], is_active=False)
    assert client.get("/").status_code == 302


def test_sign_out_ends_the_provider_session_too(client: Any, world: Any, sso: Provider) -> None:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    browser = Browser()
    username = _person(sso, roles=["CB.Board"])
    sign_in(client, username, browser=browser)
    id_token = client.session["oidc_id_token"]
    assert client.get("/logout/").status_code == 405  # sign-out is a POST (CSRF-protected)
    response = client.post("/logout/")
    assert response.status_code == 302 and _signed_in_user(client) is None
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == sso.env["OIDC_OP_LOGOUT_ENDPOINT"]
    query = parse_qs(location.query)
    assert query["id_token_hint"] == [id_token] and query["post_logout_redirect_uri"] == ["http://testserver/login/"]
    # The provider ends its session and sends the person back to our sign-in page.
    back = browser.session.get(response["Location"], allow_redirects=False, timeout=30)
    assert back.status_code == 302 and back.headers["Location"] == "http://testserver/login/"
    # Signing in again asks for the password at the provider: its session is gone.
    again = browser.session.get(start(client), allow_redirects=False, timeout=30)
    assert again.status_code == 302 and urlparse(again.headers["Location"]).path == "/login/"


def test_a_password_session_signs_out_locally(client: Any, world: Any, sso: Provider, settings: Any) -> None:
    client.force_login(world.users["admin"])
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_sso_pages_are_not_found_while_sso_is_off(client: Any, world: Any) -> None:
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    page = client.get("/login/")
    assert b"Sign in with Microsoft Entra ID" not in page.content and b'name="password"' in page.content


def test_the_provider_down_is_a_clear_failure_not_an_error(client: Any, world: Any, sso: Provider, settings: Any) -> None:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    username = _person(sso, roles=["CB.Board"])
    url = callback_path(Browser().authorize(start(client), username))
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:1/o/token/"  # nothing listens there
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed" and _signed_in_user(client) is None
    page = client.get(response["Location"])
    assert b"did not complete" in page.content


def test_the_demo_people_carry_the_claims_the_demo_seed_maps(client: Any, world: Any, sso: Provider) -> None:
    """The provider's demo `lead` signs in as a change manager of CMS."""
    from changeboard.devtools.seeding import _create_demo_claim_rules

    world.programme_a.code = "CMS"
    world.programme_a.save()
    _create_demo_claim_rules(None)
    _create_demo_claim_rules(None)  # again: the seed may run twice
    assert ClaimRule.objects.filter(description__startswith="Demo:").count() == 6
    from changeboard.devtools.personas import DEMO_PASSWORD

    browser = Browser()
    response = client.get(callback_path(browser.authorize(start(client), "lead", DEMO_PASSWORD)))
    assert response.status_code == 302
    user = _signed_in_user(client)
    assert user is not None and user.role == Role.CHANGE_MANAGER and list(user.programmes.all()) == [world.programme_a]


def test_the_provider_serves_its_keys_and_discovery(idp: Provider) -> None:
    session = requests.Session()
    session.trust_env = False
    keys = session.get(idp.env["OIDC_OP_JWKS_ENDPOINT"], timeout=30).json()["keys"]
    assert [k["alg"] for k in keys] == ["RS256"]
    discovery = session.get(f"{idp.base}/o/.well-known/openid-configuration", timeout=30).json()
    assert "S256" in discovery.get("code_challenge_methods_supported", ["S256"])
