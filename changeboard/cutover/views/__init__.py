"""Cutover pages, one module per area."""
