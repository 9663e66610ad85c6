"""Hypercare tables, one module per area."""
