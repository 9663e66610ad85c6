"""Champion network pages: the pool, coverage, load, activities, themes, the champion's own page, recognition."""

from django.urls import path

from .views import dashboard

urlpatterns: list = [
    path("network/", dashboard.DashboardView.as_view(), name="network-dashboard"),
    path("network/mine/", dashboard.DashboardView.as_view(), name="network-mine"),  # TEMP until merge
]
