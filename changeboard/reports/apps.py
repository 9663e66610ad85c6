from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "changeboard.reports"
    label = "reports"
    verbose_name = "Programme Board"

    def ready(self) -> None:
        # Registers the guard that refuses any save of a ready (immutable) board pack.
        from . import packs  # noqa: F401
