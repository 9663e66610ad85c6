"""One FilterSet per model, shared by the pages and the API."""

from __future__ import annotations

import django_filters

from changeboard.portfolio.filtersets import ProgrammeOwnedFilterSet

from .models import Deferral, SurveyWave


class WaveFilterSet(ProgrammeOwnedFilterSet):
    status = django_filters.ChoiceFilter(choices=SurveyWave.Status.choices, empty_label="Any status")

    class Meta:
        model = SurveyWave
        fields = ["q", "programme", "status"]


class DeferralFilterSet(django_filters.FilterSet):
    reason = django_filters.ChoiceFilter(choices=Deferral.Reason.choices, empty_label="Any reason")

    class Meta:
        model = Deferral
        fields = ["reason"]
