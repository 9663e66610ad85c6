from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "changeboard.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the staged uploads' file removal)
        from .models import AuditEntry, OutboxMessage
        from .navigation import NavEntry, register

        register(
            NavEntry("Audit trail", "audit-list", order=110, model=AuditEntry),
            NavEntry("Outbox", "outbox-list", order=120, model=OutboxMessage),
        )
