from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "changeboard.readiness"
    label = "readiness"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register
        from changeboard.surveys.tracking import register_wave_score_rows

        from . import (
            signals,  # noqa: F401  (rollout wave units -> criterion statuses)
            tallies,  # noqa: F401  (listens to surveys.signals.responses_changed)
        )
        from .models import Action
        from .scores import wave_rows

        register(NavEntry("Actions", "action-list", order=40, model=Action))
        register_wave_score_rows(wave_rows)
