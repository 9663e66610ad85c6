"""Engagement pages: the stakeholder register and its maps, engagements, the comms plan and sending, attention."""

from django.urls import path

from .views import messages

urlpatterns: list = [
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
]
