from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "changeboard.organisation"
    label = "organisation"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from .models import Staff, Unit
        from .signals import connect_staff_version

        connect_staff_version()

        register(
            NavEntry("Units", "unit-tree", order=80, model=Unit),
            NavEntry("Staff", "staff-list", order=90, model=Staff),
        )
