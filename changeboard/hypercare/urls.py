"""Hypercare pages: periods, the support queue, queries, the public raise-a-query form, exits."""

from django.urls import path

from .views import attachments, exits, imports, periods, public, queries, trends

urlpatterns = [
    path("hypercare/", periods.PeriodListView.as_view(), name="period-list"),
    # Attachments: only through the scoped, audited download.
    path("hypercare/attachments/<int:pk>/", attachments.AttachmentDownloadView.as_view(), name="attachment-download"),
    # Import from a service-desk export, per period: upload -> preview -> commit.
    path("hypercare/periods/<int:pk>/import/", imports.QueryImportView.as_view(), name="query-import"),
    path("hypercare/periods/<int:pk>/import/<uuid:token>/", imports.QueryImportPreviewView.as_view(), name="query-import-preview"),
    # The public pages (no account): raise a query from a period's link, its confirmation, the status page.
    path("support/status/", public.PublicStatusView.as_view(), name="public-status"),
    path("support/raised/", public.PublicRaisedView.as_view(), name="public-raised"),
    path("support/<str:token>/", public.PublicRaiseView.as_view(), name="public-raise"),
    # Exit criteria and the exit decision
    path("hypercare/periods/<int:pk>/exit/", exits.PeriodExitView.as_view(), name="period-exit"),
    path("hypercare/periods/<int:pk>/exit/decide/", exits.PeriodExitDecideView.as_view(), name="period-exit-decide"),
    path("hypercare/exit-criteria/<int:pk>/edit/", exits.ExitCriterionEditView.as_view(), name="exit-criterion-edit"),
    path("hypercare/exit-decisions/<int:pk>/", exits.ExitDecisionDetailView.as_view(), name="exit-decision-detail"),
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
    path("hypercare/queries/<int:pk>/attachments/", queries.QueryAttachView.as_view(), name="query-attach"),
    # Trends (hc-trends)
    path("hypercare/periods/<int:pk>/dashboard/", trends.PeriodDashboardView.as_view(), name="period-dashboard"),
    path("hypercare/programmes/<int:programme_pk>/trends/", trends.ProgrammeTrendsView.as_view(), name="hypercare-programme"),
    path("hypercare/trends/", trends.PortfolioTrendsView.as_view(), name="hypercare-portfolio"),
]
