"""Champion network API: champions, supports, coverage, activities, themes."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .themes import ThemeViewSet

router = SimpleRouter()
router.register("champion-themes", ThemeViewSet, basename="api-champion-theme")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
]
