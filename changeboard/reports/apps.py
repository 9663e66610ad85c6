from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "changeboard.reports"
    label = "reports"
    verbose_name = "Programme Board"
