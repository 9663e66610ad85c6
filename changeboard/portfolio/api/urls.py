"""The portfolio API: programmes, included by the root under `api/v1/`."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .views import ProgrammeViewSet

router = SimpleRouter()
router.register("programmes", ProgrammeViewSet, basename="api-programme")

urlpatterns = format_suffix_patterns(router.urls)
