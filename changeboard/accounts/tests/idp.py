"""The local OpenID Connect provider (`changeboard.devtools.idp`) in a
subprocess on a free port, for tests that sign in through it, and a
`requests` session that plays the person's browser at the provider.

Imported by the single sign-on test modules (fixtures `idp`, `sso`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MODULE = "changeboard.devtools.idp"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _idp(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    return subprocess.run([sys.executable, "-m", MODULE, *args, "--data", str(data)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)


@dataclass
class Provider:
    port: int
    data: Path
    process: subprocess.Popen[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def adduser(self, username: str, *, roles: list[str], email: str = "", employeeid: str = "",
                first_name: str = "Test", last_name: str = "Person", password: str = "idp-test-password") -> None:
        args = ["adduser", username, "--password", password, "--email", email, "--employeeid", employeeid,
                "--first-name", first_name, "--last-name", last_name]
        for role in roles:
            args += ["--role", role]
        _idp(*args, data=self.data)

    def add_site(self, url: str) -> None:
        _idp("client", "--site-url", url, data=self.data)


@pytest.fixture(scope="session")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    data = tmp_path_factory.mktemp("idp")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    process = subprocess.Popen([sys.executable, "-m", MODULE, "serve", "--port", str(port), "--site-url", "http://testserver",
                                "--data", str(data)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    provider = Provider(port=port, data=data, process=process)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "ready: ..." once it listens, or the error that stopped it
        assert line.startswith("ready"), line + process.stdout.read()
        out = _idp("env", "--port", str(port), data=data).stdout
        for row in out.splitlines():
            name, _, value = row.removeprefix("export ").partition("=")
            provider.env[name] = value.strip("'")
        yield provider
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def sso(settings: Any, idp: Provider) -> Provider:
    """Single sign-on on, through the local provider; passwords for break-glass accounts only."""
    for name, value in idp.env.items():
        setattr(settings, name, value)
    settings.LOCAL_PASSWORD_LOGIN = "break-glass"
    return idp


class Browser:
    """The person's side at the provider: follows the authorize redirect,
    signs in on the provider's page, and hands back Changeboard's callback
    URL (which the Django test client then requests)."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.trust_env = False

    def authorize(self, authorize_url: str, username: str, password: str = "idp-test-password") -> str:
        response = self.session.get(authorize_url, allow_redirects=False, timeout=30)
        if response.status_code == 302 and urlparse(response.headers["Location"]).path == "/login/":
            login_url = urljoin(authorize_url, response.headers["Location"])
            page = self.session.get(login_url, timeout=30)
            token = self.session.cookies.get("idp_csrftoken")
            next_url = parse_qs(urlparse(login_url).query)["next"][0]
            response = self.session.post(login_url, data={"username": username, "password": password, "next": next_url,
                                                          "csrfmiddlewaretoken": token}, headers={"Referer": login_url},
                                         allow_redirects=False, timeout=30)
            assert response.status_code == 302, page.text[:500]
            response = self.session.get(urljoin(authorize_url, response.headers["Location"]), allow_redirects=False, timeout=30)
        assert response.status_code == 302, response.text[:500]
        return str(response.headers["Location"])


def callback_path(url: str) -> str:
    """The path and query of Changeboard's callback URL (the test client's)."""
    parts = urlparse(url)
    assert parts.path == "/oidc/callback/", url
    return f"{parts.path}?{parts.query}"


def start(client: Any, next_url: str | None = None) -> str:
    """Changeboard's redirect to the provider (the authorize URL)."""
    query = f"?{urlencode({'next': next_url})}" if next_url is not None else ""
    response = client.get(f"/oidc/authenticate/{query}")
    assert response.status_code == 302, response.status_code
    return str(response["Location"])


def sign_in(client: Any, username: str, next_url: str | None = None, browser: Browser | None = None) -> Any:
    """A whole single sign-on as `username`; the callback's response."""
    browser = browser or Browser()
    return client.get(callback_path(browser.authorize(start(client, next_url), username)))
