"""Engagement API: stakeholders, their assessments, engagements, messages, the attention heatmap."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .attention import AttentionView
from .engagements import EngagementViewSet
from .messages import AudienceRuleViewSet, MessageViewSet
from .stakeholders import StakeholderAssessmentViewSet, StakeholderViewSet

router = SimpleRouter()
router.register("stakeholders", StakeholderViewSet, basename="api-stakeholder")
router.register("stakeholder-assessments", StakeholderAssessmentViewSet, basename="api-stakeholder-assessment")
router.register("engagements", EngagementViewSet, basename="api-engagement")
router.register("messages", MessageViewSet, basename="api-message")
router.register("message-audience-rules", AudienceRuleViewSet, basename="api-message-audience-rule")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
    path("attention/", AttentionView.as_view(), name="api-attention"),
]
