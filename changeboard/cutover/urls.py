"""Cutover pages: runbooks, their tasks and links, teams, runs."""

from django.urls import path

from .views import calendar, runbooks, runs, tasks, teams, transfer

urlpatterns = [
    path("cutover/", runbooks.RunbookListView.as_view(), name="runbook-list"),
    # The plan: runbooks and templates
    path("cutover/runbooks/new/", runbooks.RunbookCreateView.as_view(), name="runbook-create"),
    path("cutover/templates/new/", runbooks.TemplateCreateView.as_view(), name="runbook-template-create"),
    path("cutover/runbooks/<int:pk>/", runbooks.RunbookDetailView.as_view(), name="runbook-detail"),
    path("cutover/runbooks/<int:pk>/edit/", runbooks.RunbookEditView.as_view(), name="runbook-edit"),
    path("cutover/runbooks/<int:pk>/delete/", runbooks.RunbookDeleteView.as_view(), name="runbook-delete"),
    path("cutover/runbooks/<int:pk>/copy/", runbooks.RunbookCopyView.as_view(), name="runbook-copy"),
    path("cutover/runbooks/<int:pk>/save-as-template/", runbooks.RunbookSaveTemplateView.as_view(), name="runbook-save-template"),
    path("cutover/runbooks/<int:pk>/history/", runbooks.RunbookHistoryView.as_view(), name="runbook-history"),
    # Tasks
    path("cutover/runbooks/<int:runbook_pk>/tasks/new/", tasks.TaskCreateView.as_view(), name="task-create"),
    path("cutover/tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="task-detail"),
    path("cutover/tasks/<int:pk>/edit/", tasks.TaskEditView.as_view(), name="task-edit"),
    path("cutover/tasks/<int:pk>/delete/", tasks.TaskDeleteView.as_view(), name="task-delete"),
    # Teams
    path("cutover/teams/", teams.TeamListView.as_view(), name="team-list"),
    path("cutover/teams/new/", teams.TeamCreateView.as_view(), name="team-create"),
    path("cutover/teams/<int:pk>/", teams.TeamDetailView.as_view(), name="team-detail"),
    path("cutover/teams/<int:pk>/edit/", teams.TeamEditView.as_view(), name="team-edit"),
    # Runs: start one, the live view, operators' start/finish, control, after the run
    path("cutover/runbooks/<int:runbook_pk>/runs/new/", runs.RunStartView.as_view(), name="run-start"),
    path("cutover/runs/<int:pk>/", runs.RunDetailView.as_view(), name="run-detail"),
    path("cutover/runs/<int:pk>/pause/", runs.RunPauseView.as_view(), name="run-pause"),
    path("cutover/runs/<int:pk>/resume/", runs.RunResumeView.as_view(), name="run-resume"),
    path("cutover/runs/<int:pk>/abandon/", runs.RunAbandonView.as_view(), name="run-abandon"),
    path("cutover/runs/<int:pk>/reestimate/", runs.RunReestimateView.as_view(), name="run-reestimate"),
    path("cutover/runs/<int:pk>/summary/", runs.RunSummaryView.as_view(), name="run-summary"),
    path("cutover/runs/<int:pk>/log.csv", runs.RunLogView.as_view(), name="run-log"),
    path("cutover/run-tasks/<int:pk>/start/", runs.RunTaskActionView.as_view(step="start"), name="run-task-start"),
    path("cutover/run-tasks/<int:pk>/finish/", runs.RunTaskActionView.as_view(step="finish"), name="run-task-finish"),
    path("cutover/runbooks/<int:pk>/transfer/", transfer.RunbookTransferView.as_view(), name="runbook-transfer"),
    path("cutover/runbooks/<int:pk>/export/", transfer.RunbookExportView.as_view(), name="runbook-export"),
    path("cutover/runbooks/<int:pk>/import/", transfer.RunbookImportView.as_view(), name="runbook-import"),
    path("cutover/runbooks/<int:pk>/import/<uuid:token>/", transfer.RunbookImportPreviewView.as_view(), name="runbook-import-preview"),
    path("cutover/runbooks/<int:pk>/import/ms-project/", transfer.MspdiImportView.as_view(), name="runbook-import-mspdi"),
    path("cutover/runbooks/<int:pk>/import/ms-project/<uuid:token>/", transfer.MspdiImportPreviewView.as_view(),
         name="runbook-import-mspdi-preview"),
    path("cutover/calendar/", calendar.CalendarView.as_view(), name="cutover-calendar"),
]
