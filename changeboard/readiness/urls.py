"""Readiness pages, included by the root with no prefix (they live under
`readiness/` and `actions/`): scores, criteria with their statuses, evidence
and the training import, reviews, and the action log."""

from django.urls import path

from .views import actions, criteria, reviews, scores

urlpatterns = [
    path("readiness/programmes/<int:programme_pk>/scores/", scores.ProgrammeScoresView.as_view(), name="programme-scores"),
    # Criteria, their per-unit statuses and evidence
    path("readiness/programmes/<int:programme_pk>/criteria/", criteria.CriteriaListView.as_view(), name="criteria-list"),
    path("readiness/programmes/<int:programme_pk>/criteria/new/", criteria.CriterionCreateView.as_view(), name="criterion-create"),
    path("readiness/criteria/<int:pk>/", criteria.CriterionDetailView.as_view(), name="criterion-detail"),
    path("readiness/criteria/<int:pk>/edit/", criteria.CriterionEditView.as_view(), name="criterion-edit"),
    path("readiness/criteria/<int:pk>/delete/", criteria.CriterionDeleteView.as_view(), name="criterion-delete"),
    path("readiness/criteria/<int:pk>/evaluate/", criteria.CriterionEvaluateView.as_view(), name="criterion-evaluate"),
    path("readiness/criteria/<int:pk>/evidence/new/", criteria.EvidenceAddView.as_view(), name="evidence-add"),
    path("readiness/statuses/<int:pk>/", criteria.StatusEditView.as_view(), name="criterion-status"),
    path("readiness/evidence/<int:pk>/delete/", criteria.EvidenceDeleteView.as_view(), name="evidence-delete"),
    path("readiness/evidence/<int:pk>/download/", criteria.EvidenceDownloadView.as_view(), name="evidence-download"),
    # Training import
    path("readiness/training/import/", criteria.TrainingImportView.as_view(), name="training-import"),
    path("readiness/training/import/<uuid:token>/", criteria.TrainingImportPreviewView.as_view(), name="training-import-preview"),
    # Reviews
    path("readiness/programmes/<int:programme_pk>/reviews/", reviews.ReviewListView.as_view(), name="review-list"),
    path("readiness/programmes/<int:programme_pk>/reviews/defaults/", reviews.ReviewDefaultsView.as_view(), name="review-defaults"),
    path("readiness/programmes/<int:programme_pk>/reviews/new/", reviews.ReviewFormView.as_view(), name="review-create"),
    path("readiness/reviews/<int:pk>/", reviews.ReviewDetailView.as_view(), name="review-detail"),
    path("readiness/reviews/<int:pk>/edit/", reviews.ReviewFormView.as_view(), name="review-edit"),
    path("readiness/reviews/<int:pk>/decide/", reviews.ReviewDecideView.as_view(), name="review-decide"),
    # The action log
    path("actions/", actions.ActionListView.as_view(), name="action-list"),
    path("actions/<int:pk>/", actions.ActionDetailView.as_view(), name="action-detail"),
    path("actions/<int:pk>/edit/", actions.ActionEditView.as_view(), name="action-edit"),
    path("readiness/programmes/<int:programme_pk>/actions/new/", actions.ActionCreateView.as_view(), name="action-create"),
]
