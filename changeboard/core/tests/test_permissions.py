"""The permission matrix: every page and API endpoint visited as every
persona, checking allow, deny (403), hidden (404) and sign-in redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from changeboard.core.models import AuditEntry

PERSONAS = ["admin", "board", "lead", "lead2", "champion", "auditor", "anonymous"]
OK, DENY, HIDDEN, LOGIN = 200, 403, 404, "login"


def expect(default: Any = DENY, **overrides: Any) -> dict[str, Any]:
    table = dict.fromkeys(PERSONAS, default)
    table["anonymous"] = LOGIN
    table.update(overrides)
    return table


READERS = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK)
ADMIN_ONLY = expect(admin=OK)
AUDIT = expect(admin=OK, auditor=OK)
EVERYONE = expect(OK)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)


def audit_entry(w: Any) -> int:
    return AuditEntry.objects.create(action="update", object_type="portfolio.programme", object_id=str(w.programme_a.pk)).pk


# (url name, kwargs from the world, expectations per persona)
PAGES: list[tuple[str, Callable[[Any], dict[str, Any]], dict[str, Any]]] = [
    ("home", lambda w: {}, EVERYONE),
    ("accessibility", lambda w: {}, expect(OK, anonymous=OK)),
    ("unit-tree", lambda w: {}, READERS),
    ("unit-detail", lambda w: {"pk": w.central_west.pk}, {**READERS, "champion": HIDDEN}),
    ("unit-detail", lambda w: {"pk": w.westminster.pk}, READERS),
    ("staff-list", lambda w: {}, READERS),
    ("staff-detail", lambda w: {"pk": w.staff_in.pk}, READERS),
    ("staff-detail", lambda w: {"pk": w.staff_out.pk}, {**READERS, "champion": HIDDEN}),
    ("staff-import", lambda w: {}, ADMIN_ONLY),
    ("programme-list", lambda w: {}, READERS),
    ("programme-detail", lambda w: {"pk": w.programme_a.pk}, {**READERS, "lead2": HIDDEN}),
    ("programme-detail", lambda w: {"pk": w.programme_b.pk}, {**READERS, "lead": HIDDEN, "champion": HIDDEN}),
    ("programme-create", lambda w: {}, ADMIN_ONLY),
    ("programme-edit", lambda w: {"pk": w.programme_a.pk}, EDIT_A),
    ("milestone-add", lambda w: {"programme_pk": w.programme_a.pk}, EDIT_A),
    ("milestone-edit", lambda w: {"programme_pk": w.programme_a.pk, "pk": w.milestone_a.pk}, EDIT_A),
    ("milestone-delete", lambda w: {"programme_pk": w.programme_a.pk, "pk": w.milestone_a.pk}, EDIT_A),
    ("wave-add", lambda w: {"programme_pk": w.programme_a.pk}, EDIT_A),
    ("wave-edit", lambda w: {"programme_pk": w.programme_a.pk, "pk": w.wave_a.pk}, EDIT_A),
    ("wave-delete", lambda w: {"programme_pk": w.programme_a.pk, "pk": w.wave_a.pk}, EDIT_A),
    # A wave of programme B through programme A's URL is not found, even for its own lead.
    ("wave-edit", lambda w: {"programme_pk": w.programme_a.pk, "pk": w.wave_b.pk}, {**EDIT_A, "admin": HIDDEN, "lead": HIDDEN}),
    ("user-list", lambda w: {}, AUDIT),
    ("user-detail", lambda w: {"pk": w.users["lead"].pk}, AUDIT),
    ("user-create", lambda w: {}, ADMIN_ONLY),
    ("user-edit", lambda w: {"pk": w.users["lead"].pk}, ADMIN_ONLY),
    ("audit-list", lambda w: {}, AUDIT),
    ("audit-detail", lambda w: {"pk": audit_entry(w)}, AUDIT),
    ("api-docs", lambda w: {}, EVERYONE),
]

API_LOGIN = 401
API: list[tuple[str, str, Callable[[Any], dict[str, Any]], dict[str, Any]]] = [
    ("get", "api-unit-list", lambda w: {}, {**READERS, "anonymous": API_LOGIN}),
    ("get", "api-unit-detail", lambda w: {"pk": w.central_west.pk}, {**READERS, "champion": HIDDEN, "anonymous": API_LOGIN}),
    ("get", "api-staff-list", lambda w: {}, {**READERS, "anonymous": API_LOGIN}),
    ("get", "api-staff-detail", lambda w: {"pk": w.staff_out.pk}, {**READERS, "champion": HIDDEN, "anonymous": API_LOGIN}),
    ("get", "api-rank-list", lambda w: {}, {**READERS, "anonymous": API_LOGIN}),
    ("get", "api-programme-list", lambda w: {}, {**READERS, "anonymous": API_LOGIN}),
    ("get", "api-programme-detail", lambda w: {"pk": w.programme_a.pk}, {**READERS, "lead2": HIDDEN, "anonymous": API_LOGIN}),
    ("patch", "api-programme-detail", lambda w: {"pk": w.programme_a.pk}, {**EDIT_A, "anonymous": API_LOGIN}),
    ("post", "api-programme-list", lambda w: {}, {**ADMIN_ONLY, "admin": 201, "anonymous": API_LOGIN}),
    ("get", "api-user-list", lambda w: {}, {**AUDIT, "anonymous": API_LOGIN}),
    ("get", "api-user-detail", lambda w: {"pk": w.users["lead"].pk}, {**AUDIT, "anonymous": API_LOGIN}),
    ("get", "api-audit-list", lambda w: {}, {**AUDIT, "anonymous": API_LOGIN}),
    ("get", "api-audit-detail", lambda w: {"pk": audit_entry(w)}, {**AUDIT, "anonymous": API_LOGIN}),
    ("get", "api-schema", lambda w: {}, {**EVERYONE, "anonymous": API_LOGIN}),
]

API_BODIES = {
    "patch": {"description": "Updated through the API"},
    "post": {"code": "NEW", "name": "New programme", "status": "active", "phase": "discovery"},
}


def _client(client: Any, world: Any, persona: str) -> Any:
    if persona != "anonymous":
        client.force_login(world.users[persona])
    return client


def _check(response: Any, expected: Any) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, (response.status_code, expected)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, world: Any, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(world))
    _check(_client(client, world, persona).get(url), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, world: Any, persona: str, method: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(world))
    c = _client(client, world, persona)
    if method == "get":
        response = c.get(url, HTTP_ACCEPT="application/json")
    else:
        response = getattr(c, method)(url, API_BODIES[method], content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def _named_patterns(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            names |= _named_patterns(entry)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(entry.name)
    return names


PUBLIC = {"login", "logout", "healthz", "readyz", "staff-import-preview"}


def _app_matrix_names() -> set[str]:
    """The URL names each app's test modules declare in `COVERED_NAMES`
    (every `test_*` module of every Changeboard app is looked at)."""
    import importlib
    import pkgutil

    from django.apps import apps

    names: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("changeboard."):
            continue
        try:
            package = importlib.import_module(f"{config.name}.tests")
        except ModuleNotFoundError:
            continue
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("test_"):
                module = importlib.import_module(f"{package.__name__}.{info.name}")
                names |= set(getattr(module, "COVERED_NAMES", set()))
    return names


def test_every_named_url_is_in_the_matrix() -> None:
    """A new page or endpoint must be added to a permission matrix: this
    one, or an app's own (a test module's `COVERED_NAMES`)."""
    covered = {p[0] for p in PAGES} | {a[1] for a in API} | PUBLIC | _app_matrix_names()
    ignored = {"api-root", "api-unit-detail", "api-rank-detail"}
    missing = {n for n in _named_patterns() if n not in covered and n not in ignored and not n.endswith("-format")}
    assert not missing, f"Add these to the permission matrix: {sorted(missing)}"


@pytest.mark.parametrize("persona", ["admin", "board", "champion"])
def test_lists_only_show_what_is_in_scope(client: Any, world: Any, persona: str) -> None:
    c = _client(client, world, persona)
    staff = c.get(reverse("api-staff-list"), HTTP_ACCEPT="application/json").json()["results"]
    numbers = {s["staff_number"] for s in staff}
    assert world.staff_in.staff_number in numbers
    assert (world.staff_out.staff_number in numbers) is (persona != "champion")


def test_lead_sees_only_own_programmes(client: Any, world: Any) -> None:
    c = _client(client, world, "lead")
    codes = {p["code"] for p in c.get(reverse("api-programme-list"), HTTP_ACCEPT="application/json").json()["results"]}
    assert codes == {"AAA"}
    page = c.get(reverse("programme-list"))
    assert b"AAA" in page.content and b"BBB" not in page.content


def test_health_endpoints_answer_anonymously(client: Any, db: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
