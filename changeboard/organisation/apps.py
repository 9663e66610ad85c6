from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "changeboard.organisation"
    label = "organisation"
