"""The impacts API: assessments, their lines and the change load, included
by the root under `api/v1/`."""

from django.urls import path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .assessments import AssessmentViewSet, ImpactLineViewSet
from .load import LoadView

router = SimpleRouter()
router.register("assessments", AssessmentViewSet, basename="api-assessment")
router.register("impact-lines", ImpactLineViewSet, basename="api-impact-line")

urlpatterns = [
    *format_suffix_patterns(router.urls),
    path("load/", LoadView.as_view(), name="api-load"),
]
