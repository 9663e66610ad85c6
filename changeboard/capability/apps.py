from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    name = "changeboard.capability"
    label = "capability"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register, register_subnav
        from changeboard.reports.sections import register_programme_section

        from .models import Approach
        from .navigation import CAPABILITY_SUBNAV
        from .services.board import approach_section
        from .services.board_handover import handover_section

        register(NavEntry("Capability", "capability-dashboard", order=65, model=Approach, under="/capability/"))
        register_subnav("capability", "Approach and capability", *CAPABILITY_SUBNAV)
        # On each programme's Board dashboard and in the pack: whether the
        # approach's promises hold, then what the force runs without help.
        register_programme_section(approach_section)
        register_programme_section(handover_section)
