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
environment variable is set, so it cannot be deployed by mistake
(`common.bench_application`).
"""

from __future__ import annotations

from django.urls import include, path

from .common import ENV_FLAG, baseline_view, bench_application, setup_if_serving

__all__ = ["BASELINE_TABLE", "BENCH_PER_IP_HOUR", "ENV_FLAG", "application", "urlpatterns"]

BASELINE_TABLE = "bench_hypercare_baseline"
BENCH_PER_IP_HOUR = 10_000_000  # the bench's clients all post from one address

setup_if_serving()  # in the benchmark's gunicorn: before including the site's URLs

urlpatterns = [
    path("bench/baseline/", baseline_view(BASELINE_TABLE, "title"), name="bench-hypercare-baseline"),
    path("", include("changeboard.urls")),
]

handler403 = "changeboard.core.views.error_403"
handler404 = "changeboard.core.views.error_404"
handler500 = "changeboard.core.views.error_500"

# This server only (see the module docstring).
application = bench_application(__name__, "hypercare", {"HYPERCARE_PUBLIC_PER_IP_HOUR": BENCH_PER_IP_HOUR})
