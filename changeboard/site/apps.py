from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top floor: the home page, the navigation bar, the API reference
    page and the scheduler. It may use every app; no app uses it."""

    name = "changeboard.site"
    label = "site"
    verbose_name = "Site"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        register(NavEntry("Home", "home", order=0, exact=True))
