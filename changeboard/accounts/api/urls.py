"""The accounts API: users and claim rules, included by the root under `api/v1/`."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .views import ClaimRuleViewSet, UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="api-user")
router.register("claim-rules", ClaimRuleViewSet, basename="api-claim-rule")

urlpatterns = format_suffix_patterns(router.urls)
