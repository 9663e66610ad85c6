"""Hypercare pages: periods, the support queue, queries, the public raise-a-query form, exits."""

from django.urls import path

from .views import periods, trends

urlpatterns = [
    path("hypercare/", periods.PeriodListView.as_view(), name="period-list"),
    # Trends (hc-trends)
    path("hypercare/periods/<int:pk>/dashboard/", trends.PeriodDashboardView.as_view(), name="period-dashboard"),
    path("hypercare/programmes/<int:programme_pk>/trends/", trends.ProgrammeTrendsView.as_view(), name="hypercare-programme"),
    path("hypercare/trends/", trends.PortfolioTrendsView.as_view(), name="hypercare-portfolio"),
]
