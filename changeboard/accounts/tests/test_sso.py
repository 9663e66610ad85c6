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

from .idp import Browser, Provider, callback_path, idp, sign_in, sso, start  # noqa: F401  (fixtures)

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
