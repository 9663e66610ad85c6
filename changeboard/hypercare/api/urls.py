"""Hypercare API: periods, queries (create, update, comment, transition), SLA state and trends."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .exits import ExitDecisionViewSet
from .periods import PeriodViewSet
from .queries import QueryViewSet
from .sla import SlaStateViewSet
from .trends import TrendsViewSet

router = SimpleRouter()
router.register("sla-states", SlaStateViewSet, basename="api-sla-state")
router.register("exit-decisions", ExitDecisionViewSet, basename="api-exit-decision")
router.register("hypercare-periods", PeriodViewSet, basename="api-hypercare-period")
router.register("queries", QueryViewSet, basename="api-query")
router.register("hypercare-trends", TrendsViewSet, basename="api-hypercare-trend")

urlpatterns: list[URLPattern | URLResolver] = [*format_suffix_patterns(router.urls)]
