"""The audit trail's API, included by the root under `api/v1/`."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .views import AuditEntryViewSet

router = SimpleRouter()
router.register("audit", AuditEntryViewSet, basename="api-audit")

urlpatterns = format_suffix_patterns(router.urls)
