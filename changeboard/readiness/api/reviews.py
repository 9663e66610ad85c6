"""API for reviews."""

from __future__ import annotations

from typing import Any

# (prefix, viewset, basename) registered on the /api/v1/ router
routes: list[tuple[str, Any, str]] = []
