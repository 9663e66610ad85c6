"""The server `manage.py bench hypercare` starts: the whole site plus a
bench-only baseline view.

    CHANGEBOARD_BENCH_SERVER=1 gunicorn changeboard.devtools.bench.hypercare_urls:application

- `bench/baseline/`: a POST that reads the form and inserts one row into a
  bare table, the least a form submission can do on this stack.
- Queries are raised through the site's own public form (`/support/<token>/`).
  Every bench client posts from 127.0.0.1, so this server, and only this
  one, lifts the form's per-address limit (`HYPERCARE_PUBLIC_PER_IP_HOUR`)
  to `BENCH_PER_IP_HOUR`; every other check (the CSRF token, the form, the
  per-person limit, the duplicate check) is the site's.

Nothing imports this module; it refuses to serve unless the benchmark's
environment variable is set, so it cannot be deployed by mistake.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import django
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

ENV_FLAG = "CHANGEBOARD_BENCH_SERVER"
BASELINE_TABLE = "bench_hypercare_baseline"
BENCH_PER_IP_HOUR = 10_000_000  # the bench's clients all post from one address

if os.environ.get(ENV_FLAG) == "1":  # imported by the benchmark's gunicorn: set Django up before including the site's URLs
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changeboard.settings")
    django.setup()


@csrf_exempt
def baseline(request: HttpRequest) -> HttpResponse:
    """Read the posted form and insert one row: no template, no checks."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    note = request.POST.get("title", "")[:64]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(BASELINE_TABLE)} (note) VALUES (%s)", [note])  # noqa: S608  (fixed name)
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/baseline/", baseline, name="bench-hypercare-baseline"),
    path("", include("changeboard.urls")),
]

handler403 = "changeboard.core.views.error_403"
handler404 = "changeboard.core.views.error_404"
handler500 = "changeboard.core.views.error_500"

_app: Callable[..., Iterable[bytes]] | None = None


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The WSGI entry point: Django's, with this module as the URLconf."""
    global _app
    if _app is None:
        if os.environ.get(ENV_FLAG) != "1":
            raise RuntimeError(f"changeboard.devtools.bench.hypercare_urls serves only `manage.py bench hypercare` (set {ENV_FLAG}=1).")
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        app = get_wsgi_application()
        settings.ROOT_URLCONF = __name__
        settings.HYPERCARE_PUBLIC_PER_IP_HOUR = BENCH_PER_IP_HOUR  # this server only (see the module docstring)
        _app = app
    return _app(environ, start_response)
