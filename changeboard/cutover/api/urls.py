"""Cutover API: runbooks, tasks, dependencies, teams, runs and run actions."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .runs import RunTaskViewSet, RunViewSet

router = SimpleRouter()
router.register("runs", RunViewSet, basename="api-run")
router.register("run-tasks", RunTaskViewSet, basename="api-run-task")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
