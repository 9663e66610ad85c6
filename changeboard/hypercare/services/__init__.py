"""Writes for hypercare, one module per area (periods, queries, exits):
keyword-only, one transaction, audited, side effects on commit."""
