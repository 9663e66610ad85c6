"""The security checks of single sign-on and the password sign-in beside it:
session fixation, open redirects after sign-in, state and nonce replay, a
token signed with another key, and the break-glass password modes."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY

from changeboard.accounts.models import Role, User
from changeboard.accounts.services import claim_rule_create, user_update
from changeboard.conftest import PASSWORD
from changeboard.core.models import AuditEntry

from .idp import Browser, Provider, callback_path, sign_in, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(sso: Provider, world: Any) -> str:
    claim_rule_create(claim_value="CB.Board", role=Role.BOARD, actor=None)
    username = f"s{uuid.uuid4().hex[:10]}"
    sso.adduser(username, roles=["CB.Board"], email=f"{username}@idp.example")
    return username


def _signed_in(client: Any) -> bool:
    return SESSION_KEY in client.session


# ---------------------------------------------------------------- session fixation


def test_password_sign_in_changes_the_session_key(client: Any, world: Any) -> None:
    client.get("/login/")
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted = session.session_key
    assert client.post("/login/", {"username": "board", "password": PASSWORD}).status_code == 302
    assert client.session.session_key != planted and _signed_in(client)


def test_sso_sign_in_changes_the_session_key(client: Any, person: str) -> None:
    authorize = start(client)
    planted = client.session.session_key
    assert planted
    client.get(callback_path(Browser().authorize(authorize, person)))
    assert client.session.session_key != planted and _signed_in(client)


# ---------------------------------------------------------------- open redirect

EVIL = ["https://evil.example/", "//evil.example", "//evil.example/login/", "https:evil.example", "/\\evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_password_sign_in_ignores_a_next_off_the_site(client: Any, world: Any, target: str) -> None:
    response = client.post("/login/", {"username": "board", "password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_sso_sign_in_ignores_a_next_off_the_site(client: Any, person: str, target: str) -> None:
    response = sign_in(client, person, next_url=target)
    assert response.status_code == 302 and response["Location"] == "/" and _signed_in(client)


def test_sign_in_keeps_a_next_on_the_site(client: Any, world: Any, person: str) -> None:
    assert sign_in(client, person, next_url="/programmes/")["Location"] == "/programmes/"
    client.post("/logout/")
    response = client.post("/login/?next=/programmes/", {"username": "admin", "password": PASSWORD, "next": "/programmes/"})
    assert response.status_code == 200  # passwords are for break-glass accounts only while SSO is on
    user_update(user=world.users["admin"], actor=None, break_glass=True)
    response = client.post("/login/?next=/programmes/", {"username": "admin", "password": PASSWORD, "next": "/programmes/"})
    assert response["Location"] == "/programmes/"


def test_the_sign_in_page_carries_next_to_the_provider(client: Any, world: Any, sso: Provider) -> None:
    page = client.get("/login/?next=/programmes/")
    assert b"/oidc/authenticate/?next=%2Fprogrammes%2F" in page.content


# ---------------------------------------------------------------- state and nonce


def test_the_same_callback_twice_the_second_is_refused(client: Any, person: str) -> None:
    url = callback_path(Browser().authorize(start(client), person))
    assert client.get(url).status_code == 302 and _signed_in(client)
    client.post("/logout/")
    replay = client.get(url)
    # The state was used up: no state is left in the session (mozilla-django-oidc's failure redirect).
    assert replay.status_code == 302 and replay["Location"] == "/login/?sso=failed" and not _signed_in(client)


def test_a_callback_replayed_in_another_session_is_refused(client: Any, person: str) -> None:
    from django.test import Client

    url = callback_path(Browser().authorize(start(client), person))
    other = Client()
    other.get("/login/")
    response = other.get(url)
    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed" and not _signed_in(other)


def test_an_unknown_state_is_refused(client: Any, person: str) -> None:
    url = callback_path(Browser().authorize(start(client), person))
    query = parse_qs(urlparse(url).query)
    response = client.get(f"/oidc/callback/?code={query['code'][0]}&state=forged-state")
    assert response.status_code == 400 and not _signed_in(client)


def test_a_nonce_mismatch_is_refused(client: Any, person: str) -> None:
    authorize = start(client)
    url = callback_path(Browser().authorize(authorize, person))
    session = client.session
    state = parse_qs(urlparse(authorize).query)["state"][0]
    states = session["oidc_states"]
    states[state]["nonce"] = "not-the-nonce-the-provider-signed"
    session["oidc_states"] = states
    session.save()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed" and not _signed_in(client)


def test_a_code_from_an_earlier_sign_in_is_refused_in_a_later_one(client: Any, person: str) -> None:
    """Nonce replay: a code (and with it an ID token carrying the first
    nonce) from one sign-in, presented with the state of a second one. PKCE
    refuses it at the token endpoint, and the nonce would not match."""
    browser = Browser()
    first = parse_qs(urlparse(browser.authorize(start(client), person)).query)
    second = parse_qs(urlparse(browser.authorize(start(client), person)).query)
    response = client.get(f"/oidc/callback/?code={first['code'][0]}&state={second['state'][0]}")
    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed" and not _signed_in(client)


# ---------------------------------------------------------------- another key


@pytest.fixture
def forged_jwks(sso: Provider) -> Iterator[str]:
    """A JWKS endpoint serving another RSA key under the provider's own key id:
    the ID token's signature must then fail."""
    import requests

    session = requests.Session()
    session.trust_env = False
    real = session.get(sso.env["OIDC_OP_JWKS_ENDPOINT"], timeout=30).json()["keys"][0]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(other))
    body = json.dumps({"keys": [{**jwk, "kid": real["kid"], "alg": "RS256", "use": "sig"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  # the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  # the standard library's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def test_a_token_signed_with_another_key_is_refused(client: Any, person: str, forged_jwks: str, settings: Any) -> None:
    settings.OIDC_OP_JWKS_ENDPOINT = forged_jwks
    count = User.objects.count()
    response = sign_in(client, person)
    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed"
    assert not _signed_in(client) and User.objects.count() == count


# ---------------------------------------------------------------- break-glass modes


def _password_sign_in(client: Any, username: str) -> bool:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    return response.status_code == 302


def test_all_lets_every_password_account_in(client: Any, world: Any, settings: Any) -> None:
    settings.LOCAL_PASSWORD_LOGIN = "all"
    assert _password_sign_in(client, "lead")
    page = client.get("/login/?next=/")
    assert page.status_code == 302  # already signed in


def test_break_glass_lets_only_marked_accounts_in_and_records_it(client: Any, world: Any, sso: Provider) -> None:
    assert not _password_sign_in(client, "admin")
    assert not _password_sign_in(client, "lead")
    user_update(user=world.users["admin"], actor=None, break_glass=True)
    assert _password_sign_in(client, "admin")
    entry = AuditEntry.objects.filter(action="login", actor=world.users["admin"]).latest("timestamp")
    assert entry.after == {"signed_in": True, "method": "password", "break_glass": True}


def test_break_glass_sign_in_page_shows_sso_first_then_the_break_glass_form(client: Any, world: Any, sso: Provider) -> None:
    content = client.get("/login/").content.decode()
    assert "Sign in with Microsoft Entra ID" in content and "Break-glass sign-in" in content
    assert content.index("Sign in with Microsoft Entra ID") < content.index('name="password"')


def test_off_lets_no_password_in_and_hides_the_form(client: Any, world: Any, sso: Provider, settings: Any) -> None:
    settings.LOCAL_PASSWORD_LOGIN = "off"
    user_update(user=world.users["admin"], actor=None, break_glass=True)
    assert not _password_sign_in(client, "admin")
    content = client.get("/login/").content.decode()
    assert "Sign in with Microsoft Entra ID" in content and 'name="password"' not in content


def test_an_unknown_mode_stops_start_up() -> None:
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env["LOCAL_PASSWORD_LOGIN"] = "sometimes"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "LOCAL_PASSWORD_LOGIN" in result.stderr


def test_failed_sso_callbacks_lock_nobody_out(client: Any, person: str, settings: Any) -> None:
    """Axes counts failures by username; a failed callback has none, and must
    not lock every single sign-on out after a few failures by anyone."""
    from axes.models import AccessAttempt

    for _ in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT + 1):
        state = parse_qs(urlparse(start(client)).query)["state"][0]
        response = client.get(f"/oidc/callback/?code=not-a-code&state={state}")
        assert response["Location"] == "/login/?sso=failed"
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, person)["Location"] == "/" and _signed_in(client)
