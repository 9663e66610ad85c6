"""A WSGI app for the log redaction test: answers with the status in `?status=`,
and raises for `?status=raise` (gunicorn then logs the request as an error)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

REASONS = {"200": "OK", "302": "Found", "404": "Not Found", "500": "Internal Server Error"}


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    status = parse_qs(environ.get("QUERY_STRING", "")).get("status", ["200"])[0]
    if status == "raise":
        raise RuntimeError(f"failed on {environ['PATH_INFO']}")
    headers = [("Content-Type", "text/plain")]
    if status == "302":
        headers.append(("Location", "/"))
    start_response(f"{status} {REASONS.get(status, 'OK')}", headers)
    return [b"ok"]
