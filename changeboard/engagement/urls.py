"""Engagement pages: the stakeholder register and its maps, engagements, the comms plan and sending, attention."""

from django.urls import path

from .views import attention, engagements, messages, sending, stakeholders

urlpatterns: list = [
    # One attention budget
    path("engagement/attention/", attention.HeatmapView.as_view(), name="attention-heatmap"),
    path("engagement/attention/policy/", attention.PolicyView.as_view(), name="attention-policy"),
    path("engagement/attention/<int:unit_pk>/<str:week>/", attention.CellView.as_view(), name="attention-cell"),
    # Sending and delivery states (views/sending.py)
    path("engagement/comms/<int:pk>/deliveries/", sending.MessageDeliveriesView.as_view(), name="message-deliveries"),
    path("engagement/comms/<int:pk>/send/", sending.MessageSendView.as_view(), name="message-send"),
    path("engagement/comms/<int:pk>/send-update/", sending.MessageSendUpdateView.as_view(), name="message-send-update"),
    path("engagement/comms/<int:pk>/cancel-invitation/", sending.MessageCancelInvitationView.as_view(), name="message-cancel-invitation"),
    # The engagement plan and log
    path("engagement/engagements/", engagements.EngagementListView.as_view(), name="engagement-list"),
    path("engagement/engagements/summary/", engagements.EngagementSummaryView.as_view(), name="engagement-summary"),
    path("engagement/engagements/plan/", engagements.EngagementPlanView.as_view(), name="engagement-plan"),
    path("engagement/engagements/log/", engagements.EngagementRecordView.as_view(), name="engagement-record"),
    path("engagement/engagements/<int:pk>/", engagements.EngagementDetailView.as_view(), name="engagement-detail"),
    path("engagement/engagements/<int:pk>/edit/", engagements.EngagementEditView.as_view(), name="engagement-edit"),
    path("engagement/engagements/<int:pk>/log/", engagements.EngagementLogView.as_view(), name="engagement-log"),
    path("engagement/engagements/<int:pk>/cancel/", engagements.EngagementCancelView.as_view(), name="engagement-cancel"),
    path("engagement/debt/", engagements.EngagementDebtView.as_view(), name="engagement-debt"),
    path("engagement/stakeholders/<int:pk>/timeline/", engagements.StakeholderTimelineView.as_view(), name="stakeholder-timeline"),
    # The comms plan (comms)
    path("engagement/comms/", messages.MessageListView.as_view(), name="message-list"),
    path("engagement/comms/new/", messages.MessageCreateView.as_view(), name="message-create"),
    path("engagement/comms/<int:pk>/", messages.MessageDetailView.as_view(), name="message-detail"),
    path("engagement/comms/<int:pk>/edit/", messages.MessageEditView.as_view(), name="message-edit"),
    path("engagement/comms/<int:pk>/audience/", messages.RuleAddView.as_view(), name="message-rule-add"),
    path("engagement/comms/<int:pk>/audience/<int:rule_pk>/remove/", messages.RuleRemoveView.as_view(), name="message-rule-remove"),
    path("engagement/comms/<int:pk>/submit/", messages.StepView.as_view(step="submit"), name="message-submit"),
    path("engagement/comms/<int:pk>/approve/", messages.ApproveView.as_view(), name="message-approve"),
    path("engagement/comms/<int:pk>/done/", messages.StepView.as_view(step="done"), name="message-done"),
    path("engagement/comms/<int:pk>/cancel/", messages.StepView.as_view(step="cancel"), name="message-cancel"),
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
