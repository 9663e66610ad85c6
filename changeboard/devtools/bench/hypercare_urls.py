"""The server `manage.py bench hypercare` starts: the whole site plus two
bench-only views.

    CHANGEBOARD_BENCH_SERVER=1 gunicorn changeboard.devtools.bench.hypercare_urls:application

- `bench/baseline/`: a POST that reads the form and inserts one row into a
  bare table, the least a form submission can do on this stack.
- `bench/hypercare/raise/<token>/`: a POST that raises a query the way the
  public raise-a-query form does (the period found by its public token, the
  person by staff number, `services.queries.query_create` with source
  "public", no signed-in user), answering "ok <reference>". It stands in for
  hc-public's form (`/support/<token>/`) until that is merged; both views
  skip the CSRF check alike, so the ratio compares like with like.

Nothing imports this module; it refuses to serve unless the benchmark's
environment variable is set, so it cannot be deployed by mistake.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import django
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

ENV_FLAG = "CHANGEBOARD_BENCH_SERVER"
BASELINE_TABLE = "bench_hypercare_baseline"

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


@csrf_exempt
def raise_query(request: HttpRequest, token: str) -> HttpResponse:
    """Raise a query as the public form does: period by token, person by staff number or email."""
    from changeboard.hypercare.models import Period, Query
    from changeboard.hypercare.services.queries import query_create, staff_lookup

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    period = Period.objects.filter(public_token=token).first()
    if period is None:
        return HttpResponse("no such link", status=404, content_type="text/plain")
    staff = staff_lookup(request.POST.get("person", ""))
    category = period.categories.filter(code=request.POST.get("category", ""), active=True).first()
    if staff is None or category is None:
        return HttpResponseBadRequest("unknown person or category", content_type="text/plain")
    try:
        query = query_create(period=period, category=category, title=request.POST.get("title", "")[:200], actor=None,
                             source=Query.Source.PUBLIC, staff=staff, description=request.POST.get("description", ""),
                             priority=request.POST.get("priority", "P3"))
    except ValidationError as exc:
        return HttpResponseBadRequest("; ".join(exc.messages), content_type="text/plain")
    return HttpResponse(f"ok {query.reference}", content_type="text/plain")


urlpatterns = [
    path("bench/baseline/", baseline, name="bench-hypercare-baseline"),
    path("bench/hypercare/raise/<str:token>/", raise_query, name="bench-hypercare-raise"),
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
        _app = app
    return _app(environ, start_response)
