"""Capability API: approaches, journeys, frameworks, practitioners, assessments, coaching sessions, handover."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .approach import ApproachVersionViewSet, ApproachViewSet, GroupApproachViewSet, PromiseViewSet
from .coaching import CoachingSessionViewSet
from .framework import FrameworkViewSet
from .handover import HandoverAPIView, HandoverItemViewSet
from .journeys import JourneyViewSet, StageViewSet, StepViewSet, TouchpointViewSet
from .practitioners import AssessmentViewSet, PractitionerViewSet

router = SimpleRouter()
# coaching (api/coaching.py, api/handover.py)
router.register("coaching-sessions", CoachingSessionViewSet, basename="api-coaching-session")
router.register("handover-items", HandoverItemViewSet, basename="api-handover-item")
# journeys (api/journeys.py)
router.register("journeys", JourneyViewSet, basename="api-journey")
router.register("journey-stages", StageViewSet, basename="api-journey-stage")
router.register("journey-steps", StepViewSet, basename="api-journey-step")
router.register("journey-touchpoints", TouchpointViewSet, basename="api-journey-touchpoint")
# approach (api/approach.py)
router.register("approaches", ApproachViewSet, basename="api-approach")
router.register("approach-versions", ApproachVersionViewSet, basename="api-approach-version")
router.register("approach-groups", GroupApproachViewSet, basename="api-approach-group")
router.register("approach-promises", PromiseViewSet, basename="api-approach-promise")
# framework and practitioners (api/framework.py, api/practitioners.py)
router.register("capability-frameworks", FrameworkViewSet, basename="api-capability-framework")
router.register("practitioners", PractitionerViewSet, basename="api-practitioner")
router.register("capability-assessments", AssessmentViewSet, basename="api-capability-assessment")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
    path("capability-handover/", HandoverAPIView.as_view(), name="api-capability-handover"),  # coaching
]
