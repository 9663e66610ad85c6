from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "changeboard.engagement"
    label = "engagement"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, SubNavItem, register, register_subnav

        from . import signals  # noqa: F401  (connects the HR sync)
        from .models import Engagement, Message, StakeholderAssessment

        register(NavEntry("Engagement", "stakeholder-list", order=48, model=StakeholderAssessment, under="/engagement/"))
        register_subnav(
            "engagement", "Engagement",
            SubNavItem("Stakeholders", "stakeholder-list", StakeholderAssessment, (
                "stakeholder-detail", "stakeholder-create", "stakeholder-edit", "stakeholder-import", "stakeholder-import-preview",
                "stakeholder-review", "stakeholder-assessment-detail", "stakeholder-assessment-create", "stakeholder-assessment-edit",
                "stakeholder-assessment-delete", "stakeholder-timeline")),
            SubNavItem("Map", "stakeholder-map", StakeholderAssessment),
            SubNavItem("Engagements", "engagement-list", Engagement, (
                "engagement-summary", "engagement-plan", "engagement-record", "engagement-detail", "engagement-edit", "engagement-log",
                "engagement-cancel")),
            SubNavItem("Debt", "engagement-debt", Engagement),
            SubNavItem("Comms", "message-list", Message, (
                "message-create", "message-detail", "message-edit", "message-approve", "message-deliveries", "message-send",
                "message-send-update", "message-cancel-invitation")),
            SubNavItem("Attention", "attention-heatmap", Message, ("attention-cell", "attention-policy")),
        )
