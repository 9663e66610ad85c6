"""Hypercare views, one module per area."""
