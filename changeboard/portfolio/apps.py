from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "changeboard.portfolio"
    label = "portfolio"
