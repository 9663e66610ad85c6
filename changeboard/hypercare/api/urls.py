"""Hypercare API: periods, queries (create, update, comment, transition), SLA state and trends."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .exits import ExitDecisionViewSet
from .sla import SlaStateViewSet

router = SimpleRouter()
router.register("sla-states", SlaStateViewSet, basename="api-sla-state")
router.register("exit-decisions", ExitDecisionViewSet, basename="api-exit-decision")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
