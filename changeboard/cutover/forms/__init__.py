"""Cutover page forms, one module per area."""
