from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "changeboard.readiness"
    label = "readiness"

    def ready(self) -> None:
        from . import (
            signals,  # noqa: F401  (rollout wave units -> criterion statuses)
            tallies,  # noqa: F401  (listens to surveys.signals.responses_changed)
        )
