from .views import dashboards, packs

urlpatterns = [*dashboards.urls, *packs.urls]
