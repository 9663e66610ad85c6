"""Cutover API: runbooks, tasks, dependencies, teams, runs and run actions."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .transfer import RunbookExportView

router = SimpleRouter()

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("runbooks/<int:pk>/export/", RunbookExportView.as_view(), name="api-runbook-export"),
]
