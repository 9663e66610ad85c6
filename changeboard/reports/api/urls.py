"""The reports API: board packs, included by the root under `api/v1/`."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .packs import PackViewSet

router = SimpleRouter()
router.register("packs", PackViewSet, basename="api-pack")

urlpatterns = format_suffix_patterns(router.urls)
