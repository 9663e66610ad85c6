"""Hypercare forms, one module per area."""
