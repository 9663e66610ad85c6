"""Engagement pages: the stakeholder register and its maps, engagements, the comms plan and sending, attention."""

from django.urls import path

from .views import attention, sending

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
]
