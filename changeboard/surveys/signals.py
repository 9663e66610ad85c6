"""Signals of the survey app. `responses_changed(wave_ids=[...])` is sent
for roll-ups to refresh: with `background=True` when a wave closes and after
a bulk load (rebuild in the worker), without after an import (rebuild now).
Submissions to an open wave send nothing (scores wait for the close)."""

from django.dispatch import Signal

responses_changed = Signal()
