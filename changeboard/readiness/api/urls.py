"""The readiness API: criteria (with statuses and evidence), reviews,
actions and scores, included by the root under `api/v1/`."""

from django.urls import path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .actions import ActionViewSet
from .criteria import CriterionStatusViewSet, CriterionViewSet, EvidenceViewSet
from .reviews import ReviewViewSet
from .scores import ScoresView

router = SimpleRouter()
router.register("criteria", CriterionViewSet, basename="api-criterion")
router.register("criterion-statuses", CriterionStatusViewSet, basename="api-criterion-status")
router.register("evidence", EvidenceViewSet, basename="api-evidence")
router.register("reviews", ReviewViewSet, basename="api-review")
router.register("actions", ActionViewSet, basename="api-action")

urlpatterns = [
    *format_suffix_patterns(router.urls),
    path("scores/", ScoresView.as_view(), name="api-scores"),
]
