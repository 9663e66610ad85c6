"""Champion network API: champions, supports, coverage, activities, themes."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .activities import ActivityViewSet

router = SimpleRouter()
router.register("champion-activities", ActivityViewSet, basename="api-champion-activity")

urlpatterns: list[URLPattern | URLResolver] = [
    *format_suffix_patterns(router.urls),
]
