from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "changeboard.engagement"
    label = "engagement"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from . import signals  # noqa: F401  (connects the HR sync)
        from .models import StakeholderAssessment

        register(NavEntry("Engagement", "stakeholder-list", order=48, model=StakeholderAssessment, under="/engagement/"))
