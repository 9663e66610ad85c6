"""Writes for cutover, one module per area (runbooks: the plan; runs: its
rehearsals and the live run): keyword-only, one transaction, audited, side
effects on commit."""
