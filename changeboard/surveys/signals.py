"""Signals of the survey app. `responses_changed(wave_ids=[...])` is sent
after responses are stored (submit, import, seeding), for roll-ups to refresh."""

from django.dispatch import Signal

responses_changed = Signal()
