"""Cutover pages: runbooks, their tasks and links, teams, runs."""

from django.urls import path

from .views import calendar, runbooks

urlpatterns = [
    path("cutover/", runbooks.RunbookListView.as_view(), name="runbook-list"),
    path("cutover/calendar/", calendar.CalendarView.as_view(), name="cutover-calendar"),
]
