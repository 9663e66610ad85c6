"""Readiness pages, one module per area: scores, criteria (with evidence and
the training import), reviews and actions. Each module lists its own `urls`."""
