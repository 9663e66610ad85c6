"""Engagement API: stakeholders, their assessments, engagements, messages, the attention heatmap."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .messages import AudienceRuleViewSet, MessageViewSet

router = SimpleRouter()
router.register("messages", MessageViewSet, basename="api-message")
router.register("message-audience-rules", AudienceRuleViewSet, basename="api-message-audience-rule")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
]
