from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "changeboard.surveys"
    label = "surveys"
    verbose_name = "Readiness surveys"
