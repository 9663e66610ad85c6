"""Capability API: approaches, journeys, frameworks, practitioners, assessments, coaching sessions, handover."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .framework import FrameworkViewSet
from .practitioners import AssessmentViewSet, PractitionerViewSet

router = SimpleRouter()
router.register("capability-frameworks", FrameworkViewSet, basename="api-capability-framework")
router.register("practitioners", PractitionerViewSet, basename="api-practitioner")
router.register("capability-assessments", AssessmentViewSet, basename="api-capability-assessment")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
]
