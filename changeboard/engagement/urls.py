"""Engagement pages: the stakeholder register and its maps, engagements, the comms plan and sending, attention."""

from django.urls import path

from .views import stakeholders

urlpatterns: list = [
    # The stakeholder register (views/stakeholders.py).
    path("engagement/stakeholders/", stakeholders.StakeholderListView.as_view(), name="stakeholder-list"),
    path("engagement/stakeholders/add/", stakeholders.StakeholderCreateView.as_view(), name="stakeholder-create"),
    path("engagement/stakeholders/import/", stakeholders.StakeholderImportView.as_view(), name="stakeholder-import"),
    path("engagement/stakeholders/import/<uuid:token>/", stakeholders.StakeholderImportPreviewView.as_view(), name="stakeholder-import-preview"),
    path("engagement/stakeholders/<int:pk>/", stakeholders.StakeholderDetailView.as_view(), name="stakeholder-detail"),
    path("engagement/stakeholders/<int:pk>/edit/", stakeholders.StakeholderEditView.as_view(), name="stakeholder-edit"),
    path("engagement/stakeholders/<int:pk>/review/", stakeholders.StakeholderReviewView.as_view(), name="stakeholder-review"),
    path("engagement/stakeholders/<int:pk>/active/", stakeholders.StakeholderActiveView.as_view(), name="stakeholder-active"),
    path("engagement/stakeholders/<int:pk>/map/", stakeholders.AssessmentCreateView.as_view(), name="stakeholder-assessment-create"),
    path("engagement/assessments/<int:pk>/", stakeholders.AssessmentDetailView.as_view(), name="stakeholder-assessment-detail"),
    path("engagement/assessments/<int:pk>/edit/", stakeholders.AssessmentEditView.as_view(), name="stakeholder-assessment-edit"),
    path("engagement/assessments/<int:pk>/delete/", stakeholders.AssessmentDeleteView.as_view(), name="stakeholder-assessment-delete"),
    path("engagement/map/", stakeholders.StakeholderMapView.as_view(), name="stakeholder-map"),
]
