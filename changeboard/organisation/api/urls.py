"""The organisation API: units, staff and ranks, included by the root under `api/v1/`."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .views import RankGradeViewSet, StaffViewSet, UnitViewSet

router = SimpleRouter()
router.register("units", UnitViewSet, basename="api-unit")
router.register("staff", StaffViewSet, basename="api-staff")
router.register("ranks", RankGradeViewSet, basename="api-rank")

urlpatterns = format_suffix_patterns(router.urls)
