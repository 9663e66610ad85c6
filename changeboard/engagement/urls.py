"""Engagement pages: the stakeholder register and its maps, engagements, the comms plan and sending, attention."""

from django.urls import path

from .views import attention

urlpatterns: list = [
    # One attention budget
    path("engagement/attention/", attention.HeatmapView.as_view(), name="attention-heatmap"),
    path("engagement/attention/policy/", attention.PolicyView.as_view(), name="attention-policy"),
    path("engagement/attention/<int:unit_pk>/<str:week>/", attention.CellView.as_view(), name="attention-cell"),
]
