"""Cutover pages: runbooks, their tasks and links, teams, runs."""

from django.urls import path

from .views import runbooks, transfer

urlpatterns = [
    path("cutover/", runbooks.RunbookListView.as_view(), name="runbook-list"),
    path("cutover/runbooks/<int:pk>/transfer/", transfer.RunbookTransferView.as_view(), name="runbook-transfer"),
    path("cutover/runbooks/<int:pk>/export/", transfer.RunbookExportView.as_view(), name="runbook-export"),
    path("cutover/runbooks/<int:pk>/import/", transfer.RunbookImportView.as_view(), name="runbook-import"),
    path("cutover/runbooks/<int:pk>/import/<uuid:token>/", transfer.RunbookImportPreviewView.as_view(), name="runbook-import-preview"),
    path("cutover/runbooks/<int:pk>/import/ms-project/", transfer.MspdiImportView.as_view(), name="runbook-import-mspdi"),
    path("cutover/runbooks/<int:pk>/import/ms-project/<uuid:token>/", transfer.MspdiImportPreviewView.as_view(),
         name="runbook-import-mspdi-preview"),
]
