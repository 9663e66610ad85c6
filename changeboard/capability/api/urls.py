"""Capability API: approaches, journeys, frameworks, practitioners, assessments, coaching sessions, handover."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .approach import ApproachVersionViewSet, ApproachViewSet, GroupApproachViewSet, PromiseViewSet

router = SimpleRouter()
# approach (api/approach.py)
router.register("approaches", ApproachViewSet, basename="api-approach")
router.register("approach-versions", ApproachVersionViewSet, basename="api-approach-version")
router.register("approach-groups", GroupApproachViewSet, basename="api-approach-group")
router.register("approach-promises", PromiseViewSet, basename="api-approach-promise")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
]
