from django.apps import AppConfig


class HypercareConfig(AppConfig):
    name = "changeboard.hypercare"
    label = "hypercare"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from .models import Period

        register(NavEntry("Hypercare", "period-list", order=47, model=Period))
