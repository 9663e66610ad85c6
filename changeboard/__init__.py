"""Changeboard: one system to land a portfolio of organisational change."""
