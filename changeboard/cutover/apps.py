from django.apps import AppConfig


class CutoverConfig(AppConfig):
    name = "changeboard.cutover"
    label = "cutover"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from . import signals  # noqa: F401  (a no-go recorded during a live run pauses it)
        from .models import Runbook

        register(NavEntry("Cutover", "runbook-list", order=45, model=Runbook))
