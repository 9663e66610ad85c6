from django.urls import path

from . import views

urlpatterns = [
    path("readiness/programmes/<int:programme_pk>/scores/", views.ProgrammeScoresView.as_view(), name="programme-scores"),
]
