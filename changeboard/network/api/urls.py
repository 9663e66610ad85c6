"""Champion network API: champions, supports, coverage, activities, themes."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .activities import ActivityViewSet
from .coverage import CoverageAPIView, GapsAPIView
from .pool import ChampionViewSet, LoadView, SupportViewSet
from .themes import ThemeViewSet

router = SimpleRouter()
router.register("champions", ChampionViewSet, basename="api-champion")
router.register("champion-supports", SupportViewSet, basename="api-champion-support")
router.register("champion-activities", ActivityViewSet, basename="api-champion-activity")
router.register("champion-themes", ThemeViewSet, basename="api-champion-theme")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
    path("network-load/", LoadView.as_view(), name="api-network-load"),
    path("network-coverage/", CoverageAPIView.as_view(), name="api-network-coverage"),
    path("network-gaps/", GapsAPIView.as_view(), name="api-network-gaps"),
]
