"""Hypercare pages: periods, the support queue, queries, the public raise-a-query form, exits."""

from django.urls import path

from .views import periods

urlpatterns = [
    path("hypercare/", periods.PeriodListView.as_view(), name="period-list"),
]
