from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "changeboard.network"
    label = "network"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register, register_subnav
        from changeboard.reports.sections import register_programme_section

        from . import signals  # noqa: F401  (connects the HR sync and the audience providers)
        from .models import Champion
        from .navigation import NETWORK_SUBNAV
        from .services.board import floor_section

        register(NavEntry("Champions", "network-dashboard", order=49, model=Champion, under="/network/"))
        register_subnav("network", "Champion network", *NETWORK_SUBNAV)
        register_programme_section(floor_section)
