"""Signals of the survey app. `responses_changed(wave_ids=[...])` is sent
after responses are stored, for roll-ups to refresh: with `response_ids`
after one submission (add just those), with `background=True` after a bulk
load (rebuild in the worker), with neither after an import (rebuild now)."""

from django.dispatch import Signal

responses_changed = Signal()
