from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "changeboard.readiness"
    label = "readiness"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from . import (
            signals,  # noqa: F401  (rollout wave units -> criterion statuses)
            tallies,  # noqa: F401  (listens to surveys.signals.responses_changed)
        )
        from .models import Action

        register(NavEntry("Actions", "action-list", order=40, model=Action))
