"""The accounts API: users, included by the root under `api/v1/`."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .views import UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="api-user")

urlpatterns = format_suffix_patterns(router.urls)
