"""Change approach, user journeys, capability framework, practitioners, coaching and handover pages."""

from django.urls import path

from .views import dashboard

urlpatterns: list = [
    path("capability/", dashboard.DashboardView.as_view(), name="capability-dashboard"),
]
