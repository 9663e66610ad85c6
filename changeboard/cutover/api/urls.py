"""Cutover API: runbooks, tasks, dependencies, teams, runs and run actions."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .calendar import CalendarAPIView
from .runbooks import RunbookViewSet
from .runs import RunTaskViewSet, RunViewSet
from .tasks import DependencyViewSet, TaskViewSet
from .teams import TeamViewSet
from .transfer import RunbookExportView

router = SimpleRouter()
router.register("runbooks", RunbookViewSet, basename="api-runbook")
router.register("tasks", TaskViewSet, basename="api-task")
router.register("dependencies", DependencyViewSet, basename="api-dependency")
router.register("teams", TeamViewSet, basename="api-team")
router.register("runs", RunViewSet, basename="api-run")
router.register("run-tasks", RunTaskViewSet, basename="api-run-task")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
    path("runbooks/<int:pk>/export/", RunbookExportView.as_view(), name="api-runbook-export"),
    path("cutover-calendar/", CalendarAPIView.as_view(), name="api-cutover-calendar"),
]
