"""Writes for readiness, one module per area (criteria, reviews, actions):
keyword-only, one transaction, audited, side effects on commit."""
