"""`Cache-Control: no-store` on every response the application renders:
every named URL walked as the admin persona (pages, their CSV and XLSX
exports, the API), the sign-in page and the survey pages; static files keep
their own caching."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from rest_framework.authtoken.models import Token

from changeboard.core.tests.test_permissions import PAGES

GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _part(pattern: Any, world: Any) -> str | None:
    """One pattern's piece of a URL: ids are the world's programme A (a unit,
    a wave... where that id exists), strings a made-up survey token."""
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        if "(?P<format>" in text:
            return None  # the API's format-suffix duplicates
        return GROUP.sub(str(world.programme_a.pk), text.lstrip("^").rstrip("$").replace("\\", ""))
    out = ""
    while "<" in text:
        head, tail = text.split("<", 1)
        spec, text = tail.split(">", 1)
        kind = spec.split(":")[0] if ":" in spec else "str"
        out += head + (str(world.programme_a.pk) if kind == "int" else "Zq8sEcretT0kenXy")
    return out + text


def _urls(world: Any, resolver: URLResolver | None = None, prefix: str = "/") -> list[str]:
    found: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        part = _part(entry.pattern, world)
        if part is None:
            continue
        if isinstance(entry, URLResolver):
            found += _urls(world, entry, prefix + part)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append(prefix + part)
    return found


def _assert_no_store(response: Any, url: str) -> None:
    cache_control = response.get("Cache-Control", "")
    assert "no-store" in cache_control, (url, response.status_code, cache_control)


def test_every_url_as_the_admin_answers_no_store(world: Any) -> None:
    session = Client(raise_request_exception=False)  # a server error must be no-store too
    session.force_login(world.users["admin"])
    token = Token.objects.create(user=world.users["admin"])
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT="application/json")
    statuses: Counter[int] = Counter()
    walked = 0
    server_errors: list[str] = []
    for url in _urls(world):
        if url.startswith("/logout"):
            continue
        client = api if url.startswith("/api/") else session
        for query in ("", "?export=csv", "?export=xlsx"):
            if query and url.startswith("/api/"):
                continue
            response = client.get(url + query)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                server_errors.append(url + query)
            walked += 1
            _assert_no_store(response, url + query)
    assert walked > 100 and statuses[200] > 50, statuses  # the walk reached real pages, not only errors
    assert not server_errors, server_errors


def test_the_permission_matrix_pages_answer_no_store(client: Any, world: Any) -> None:
    from django.urls import reverse

    client.force_login(world.users["admin"])
    for name, kwargs, _expected in PAGES:
        url = reverse(name, kwargs=kwargs(world))
        _assert_no_store(client.get(url), url)


def test_public_pages_answer_no_store(client: Any, world: Any) -> None:
    for url in ("/login/", "/s/Zq8sEcretT0kenXy/", "/api/v1/survey/Zq8sEcretT0kenXy/", "/healthz", "/no-such-page/"):
        _assert_no_store(client.get(url), url)


def test_static_files_keep_their_own_caching(client: Any) -> None:
    response = client.get("/static/js/htmx.min.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
