"""The server `manage.py bench survey` starts: the whole site plus a baseline view.

    CHANGEBOARD_BENCH_SERVER=1 gunicorn changeboard.devtools.bench.survey_urls:application

`application` serves `changeboard.urls` with one more URL, `bench/baseline/`:
a POST that reads the form and inserts one row into a bare table, the least a
form submission can do on this stack (same server, middleware, database and
connection settings). The benchmark reports the survey submission's speed
as a ratio to it. Nothing imports this module; it refuses to serve unless
the benchmark's environment variable is set, so it cannot be deployed by
mistake (`common.bench_application`).
"""

from __future__ import annotations

from django.urls import include, path

from .common import ENV_FLAG, baseline_view, bench_application, setup_if_serving

__all__ = ["BASELINE_TABLE", "ENV_FLAG", "application", "urlpatterns"]

BASELINE_TABLE = "bench_survey_baseline"

setup_if_serving()  # in the benchmark's gunicorn: before including the site's URLs

urlpatterns = [
    path("bench/baseline/", baseline_view(BASELINE_TABLE, "csrfmiddlewaretoken"), name="bench-baseline"),
    path("", include("changeboard.urls")),
]

handler403 = "changeboard.core.views.error_403"
handler404 = "changeboard.core.views.error_404"
handler500 = "changeboard.core.views.error_500"

application = bench_application(__name__, "survey")
