"""One app shape for routing: every domain app routes its pages in its own
`urls.py` and its API in its own `api/urls.py`, the root includes both, the
one API root lists every app's viewsets, and no view or API module keeps a
`urls` or `routes` list of its own."""

from __future__ import annotations

import pkgutil
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any, cast

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.routers import SimpleRouter

DOMAIN_APPS = ["accounts", "capability", "core", "cutover", "engagement", "hypercare", "impacts", "network", "organisation", "portfolio", "readiness", "reports", "surveys"]


def _project_apps() -> list[str]:
    return [config.name for config in apps.get_app_configs() if config.name.startswith("changeboard.")]


def _exists(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:  # a parent is a module, not a package
        return False


def _names(patterns: list[URLPattern | URLResolver]) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns)
        elif pattern.name:
            names.add(pattern.name)
    return names


def _modules(package: str) -> list[ModuleType]:
    """The package's own module and those of its `views` and `api` packages."""
    found = [import_module(package)]
    for sub in ("views", "api"):
        name = f"{package}.{sub}"
        if not _exists(name):
            continue
        module = import_module(name)
        found.append(module)
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            if info.name != "urls":
                found.append(import_module(f"{name}.{info.name}"))
    return found


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_each_domain_app_has_pages_and_api_urls(app: str) -> None:
    assert _exists(f"changeboard.{app}.urls"), f"{app} needs a urls.py"
    assert _exists(f"changeboard.{app}.api.urls"), f"{app} needs an api/urls.py"


@pytest.mark.parametrize("app", _project_apps())
def test_the_root_includes_each_apps_urls(app: str) -> None:
    included = set(get_resolver().reverse_dict.keys())
    if _exists(f"{app}.urls"):
        pages = import_module(f"{app}.urls")
        assert _names(pages.urlpatterns) <= included
    if _exists(f"{app}.api.urls"):
        api = import_module(f"{app}.api.urls")
        assert isinstance(api.router, SimpleRouter)
        assert _names(api.urlpatterns) <= included
        listed = cast(Any, resolve("/api/v1/").func).initkwargs["api_root_dict"]
        for prefix, _viewset, basename in api.router.registry:
            assert listed.get(prefix) == f"{basename}-list", f"the API root must list {prefix}"


@pytest.mark.parametrize("app", _project_apps())
def test_no_view_or_api_module_keeps_its_own_url_list(app: str) -> None:
    for module in _modules(app):
        for attribute in ("urls", "routes"):
            assert not isinstance(getattr(module, attribute, None), list), f"move {module.__name__}.{attribute} into the app's urls"
