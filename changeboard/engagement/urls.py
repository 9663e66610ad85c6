"""Engagement pages: the stakeholder register and its maps, engagements, the comms plan and sending, attention."""


urlpatterns: list = [
]
