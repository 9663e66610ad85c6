from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "changeboard.network"
    label = "network"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from . import signals  # noqa: F401  (connects the HR sync and the audience providers)
        from .models import Champion

        register(NavEntry("Champions", "network-dashboard", order=49, model=Champion, under="/network/"))
