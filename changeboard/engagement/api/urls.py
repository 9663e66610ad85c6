"""Engagement API: stakeholders, their assessments, engagements, messages, the attention heatmap."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .stakeholders import StakeholderAssessmentViewSet, StakeholderViewSet

router = SimpleRouter()
router.register("stakeholders", StakeholderViewSet, basename="api-stakeholder")
router.register("stakeholder-assessments", StakeholderAssessmentViewSet, basename="api-stakeholder-assessment")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
]
