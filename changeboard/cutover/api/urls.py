"""Cutover API: runbooks, tasks, dependencies, teams, runs and run actions."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
