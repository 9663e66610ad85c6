from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "changeboard.surveys"
    label = "surveys"
    verbose_name = "Readiness surveys"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from .models import SurveyWave

        register(NavEntry("Surveys", "wave-list", order=70, model=SurveyWave))
