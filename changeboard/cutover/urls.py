"""Cutover pages: runbooks, their tasks and links, teams, runs."""

from django.urls import path

from .views import runbooks

urlpatterns = [
    path("cutover/", runbooks.RunbookListView.as_view(), name="runbook-list"),
]
