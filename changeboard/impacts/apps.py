from django.apps import AppConfig


class ImpactsConfig(AppConfig):
    name = "changeboard.impacts"
    label = "impacts"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps reach current as staff change)
