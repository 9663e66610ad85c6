"""Signals other apps listen to, so the organisation app need not know them."""

from django.dispatch import Signal

# Sent after staff rows were created, updated or marked as leavers in bulk
# (an HR import commit). Receivers refresh whatever they derive from staff.
staff_changed = Signal()
