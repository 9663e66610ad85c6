"""Hypercare filtersets, one module per area."""
