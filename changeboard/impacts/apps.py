from django.apps import AppConfig


class ImpactsConfig(AppConfig):
    name = "changeboard.impacts"
    label = "impacts"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from . import signals  # noqa: F401  (keeps reach current as staff change)
        from .models import ImpactAssessment

        register(
            # /impacts/ holds the load pages too; those belong to "Change load".
            NavEntry("Impacts", "assessment-list", order=50, model=ImpactAssessment,
                     not_under=("/impacts/load", "/impacts/hotspots", "/impacts/proposals")),
            NavEntry("Change load", "heatmap", order=60, model=ImpactAssessment),
        )
