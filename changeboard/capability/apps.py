from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    name = "changeboard.capability"
    label = "capability"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register, register_subnav

        from .models import Approach
        from .navigation import CAPABILITY_SUBNAV

        register(NavEntry("Capability", "capability-dashboard", order=65, model=Approach, under="/capability/"))
        register_subnav("capability", "Approach and capability", *CAPABILITY_SUBNAV)

        from changeboard.reports.sections import register_programme_section

        from .services.board import approach_section

        register_programme_section(approach_section)
