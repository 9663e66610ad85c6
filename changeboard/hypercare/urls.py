"""Hypercare pages: periods, the support queue, queries, the public raise-a-query form, exits."""

from django.urls import path

from .views import attachments, exits, imports, periods, public

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
]
