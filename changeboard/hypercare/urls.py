"""Hypercare pages: periods, the support queue, queries, the public raise-a-query form, exits."""

from django.urls import path

from .views import exits, periods

urlpatterns = [
    path("hypercare/", periods.PeriodListView.as_view(), name="period-list"),
    # Exit criteria and the exit decision
    path("hypercare/periods/<int:pk>/exit/", exits.PeriodExitView.as_view(), name="period-exit"),
    path("hypercare/periods/<int:pk>/exit/decide/", exits.PeriodExitDecideView.as_view(), name="period-exit-decide"),
    path("hypercare/exit-criteria/<int:pk>/edit/", exits.ExitCriterionEditView.as_view(), name="exit-criterion-edit"),
    path("hypercare/exit-decisions/<int:pk>/", exits.ExitDecisionDetailView.as_view(), name="exit-decision-detail"),
]
