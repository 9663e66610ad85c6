"""Connections to the apps below: the HR import flags leavers and movers in
the pool, and the comms and survey audiences learn who the champions are."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from changeboard.engagement.services.audience import register_champion_provider
from changeboard.organisation.signals import staff_changed
from changeboard.surveys.models import SurveyWave
from changeboard.surveys.services import register_audience_provider

from .services.champions import champions_staff_q, pulse_audience_q


@receiver(staff_changed, dispatch_uid="network-champion-hr-sync")
def flag_champions_after_staff_change(sender: Any, **kwargs: Any) -> None:
    from .services.champions import sync_from_staff

    transaction.on_commit(sync_from_staff)


register_champion_provider(champions_staff_q)
register_audience_provider(SurveyWave.Source.CHAMPIONS, pulse_audience_q)
