"""Capability API: approaches, journeys, frameworks, practitioners, assessments, coaching sessions, handover."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .journeys import JourneyViewSet, StageViewSet, StepViewSet, TouchpointViewSet

router = SimpleRouter()
# journeys (api/journeys.py)
router.register("journeys", JourneyViewSet, basename="api-journey")
router.register("journey-stages", StageViewSet, basename="api-journey-stage")
router.register("journey-steps", StepViewSet, basename="api-journey-step")
router.register("journey-touchpoints", TouchpointViewSet, basename="api-journey-touchpoint")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
]
