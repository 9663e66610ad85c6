from django.urls import path

from .views import actions, criteria, reviews, scores

urlpatterns = [
    path("readiness/programmes/<int:programme_pk>/scores/", scores.ProgrammeScoresView.as_view(), name="programme-scores"),
    *criteria.urls,
    *reviews.urls,
    *actions.urls,
]
