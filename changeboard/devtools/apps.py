from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Developer tools on the top floor: the demo and scale data (`seed`,
    `demo_accounts`, `remove_demo_accounts`) and the benchmarks (`bench`).
    It may use every app; no app uses it."""

    name = "changeboard.devtools"
    label = "devtools"
    verbose_name = "Developer tools"
