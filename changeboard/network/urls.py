"""Champion network pages: the pool, coverage, load, activities, themes, the champion's own page, recognition."""

from django.urls import path

from .views import coverage, dashboard

urlpatterns: list = [
    path("network/", dashboard.DashboardView.as_view(), name="network-dashboard"),
    path("network/coverage/", coverage.CoverageView.as_view(), name="network-coverage"),
    path("network/coverage/map/", coverage.CoverageMapView.as_view(), name="network-coverage-map"),
    path("network/coverage/gap/", coverage.GapView.as_view(), name="network-gap"),
    path("network/coverage/target/<int:pk>/", coverage.CoverageTargetView.as_view(), name="coverage-target"),
    path("network/policy/", coverage.PolicyView.as_view(), name="network-policy"),
    path("network/champions/nominate/", coverage.GapView.as_view(), name="champion-nominate"),  # TEMP until merge
]
