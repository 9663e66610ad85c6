from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "changeboard.engagement"
    label = "engagement"

    def ready(self) -> None:
        # The navigation entry ("Engagement", order 48) is registered with the register's pages.
        pass
