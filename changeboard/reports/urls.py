"""Board pages, included by the root with no prefix (they live under
`board/`): the dashboards and the board packs."""

from django.urls import path

from .views import dashboards, packs

urlpatterns = [
    path("board/", dashboards.PortfolioDashboardView.as_view(), name="portfolio-dashboard"),
    path("board/programmes/<int:pk>/", dashboards.ProgrammeDashboardView.as_view(), name="programme-dashboard"),
    # Board packs
    path("board/packs/", packs.PackListView.as_view(), name="pack-list"),
    path("board/packs/<int:pk>/", packs.PackDetailView.as_view(), name="pack-detail"),
    path("board/packs/<int:pk>/download/<str:fmt>/", packs.PackDownloadView.as_view(), name="pack-download"),
]
