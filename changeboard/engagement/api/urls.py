"""Engagement API: stakeholders, their assessments, engagements, messages, the attention heatmap."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .engagements import EngagementViewSet

router = SimpleRouter()
router.register("engagements", EngagementViewSet, basename="api-engagement")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
]
