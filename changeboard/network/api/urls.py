"""Champion network API: champions, supports, coverage, activities, themes."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .coverage import CoverageAPIView, GapsAPIView

router = SimpleRouter()

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
    path("network-coverage/", CoverageAPIView.as_view(), name="api-network-coverage"),
    path("network-gaps/", GapsAPIView.as_view(), name="api-network-gaps"),
]
