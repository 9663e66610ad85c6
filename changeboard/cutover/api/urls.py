"""Cutover API: runbooks, tasks, dependencies, teams, runs and run actions."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .calendar import CalendarAPIView

router = SimpleRouter()

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("cutover-calendar/", CalendarAPIView.as_view(), name="api-cutover-calendar"),
]
