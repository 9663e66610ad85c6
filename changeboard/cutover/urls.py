"""Cutover pages: runbooks, their tasks and links, teams, runs."""

from django.urls import path

from .views import runbooks, runs

urlpatterns = [
    path("cutover/", runbooks.RunbookListView.as_view(), name="runbook-list"),
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
]
