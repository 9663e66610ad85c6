from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "changeboard.portfolio"
    label = "portfolio"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from .models import Programme

        register(NavEntry("Programmes", "programme-list", order=30, model=Programme))
