"""Hypercare pages: periods, the support queue, queries, the public raise-a-query form, exits."""

from django.urls import path

from .views import periods, queries

urlpatterns = [
    path("hypercare/", periods.PeriodListView.as_view(), name="period-list"),
    path("hypercare/new/", periods.PeriodCreateView.as_view(), name="period-create"),
    path("hypercare/<int:pk>/", periods.PeriodDetailView.as_view(), name="period-detail"),
    path("hypercare/<int:pk>/edit/", periods.PeriodEditView.as_view(), name="period-edit"),
    path("hypercare/<int:pk>/categories/", periods.PeriodCategoriesView.as_view(), name="period-categories"),
    path("hypercare/<int:pk>/categories/<int:category_pk>/", periods.CategoryEditView.as_view(), name="period-category-edit"),
    path("hypercare/<int:pk>/sla/", periods.PeriodSlaView.as_view(), name="period-sla"),
    path("hypercare/<int:pk>/queries/", queries.QueryListView.as_view(), name="period-queries"),
    path("hypercare/<int:pk>/queries/new/", queries.QueryCreateView.as_view(), name="query-create"),
    path("hypercare/queries/", queries.QueryListView.as_view(), name="query-list"),
    path("hypercare/queries/assign/", queries.BulkAssignView.as_view(), name="query-bulk-assign"),
    path("hypercare/queries/<int:pk>/", queries.QueryDetailView.as_view(), name="query-detail"),
    path("hypercare/queries/<int:pk>/status/", queries.QueryTransitionView.as_view(), name="query-transition"),
    path("hypercare/queries/<int:pk>/assign/", queries.QueryAssignView.as_view(), name="query-assign"),
    path("hypercare/queries/<int:pk>/comment/", queries.QueryCommentView.as_view(), name="query-comment"),
    path("hypercare/queries/<int:pk>/edit/", queries.QueryEditView.as_view(), name="query-edit"),
]
