"""The surveys API: questionnaires, waves and answering by link, included
by the root under `api/v1/`."""

from django.urls import path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .views import InstrumentViewSet, SurveyRespondView, SurveyWaveViewSet

router = SimpleRouter()
router.register("instruments", InstrumentViewSet, basename="api-survey-instrument")
router.register("survey-waves", SurveyWaveViewSet, basename="api-survey-wave")

urlpatterns = [
    *format_suffix_patterns(router.urls),
    path("survey/<str:token>/", SurveyRespondView.as_view(), name="api-survey-respond"),
]
