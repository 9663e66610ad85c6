from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "changeboard.reports"
    label = "reports"
    verbose_name = "Programme Board"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        # Registers the guard that refuses any save of a ready (immutable) board pack.
        from . import packs  # noqa: F401
        from .models import BoardPack, Dashboard

        register(
            NavEntry("Board", "portfolio-dashboard", order=10, model=Dashboard),  # type: ignore[arg-type]  # not a table: can() reads only its role_actions
            NavEntry("Board packs", "pack-list", order=20, model=BoardPack),
        )
