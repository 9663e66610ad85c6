"""Readiness scores rest on a maintained roll-up of the survey answers.

`ElementTally` holds, per wave x team (the unit the response came from) x
role group x ADKAR element x source, the count of responses that answered
the element, the count of answers, and the sum and sum of squares of their
values. Scores (`scores.py`) read these rows only, never the answers, so
their cost does not grow with the number of responses. `tallies.rebuild`
keeps them current when `surveys.signals.responses_changed` is sent.
"""

from __future__ import annotations

from django.db import models

from changeboard.organisation.models import Unit
from changeboard.surveys.models import Adkar, RoleGroup, SurveyWave


class ElementTally(models.Model):
    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}}

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices)
    element = models.CharField(max_length=15, choices=Adkar.choices)
    source = models.CharField(max_length=6)
    responses = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    total_sq = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "unit", "role_group", "element", "source"], name="element_tally_unique")]
        indexes = [models.Index(fields=["wave", "unit"], name="element_tally_wave_unit")]
