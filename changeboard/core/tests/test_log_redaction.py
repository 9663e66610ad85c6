"""Survey links (their tokens) never reach a log: Django's loggers, the
development server's access log and gunicorn's access and error logs."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TOKEN = "Zq8sEcretT0kenXy"
PATHS = [f"/s/{TOKEN}/", f"/api/v1/survey/{TOKEN}/"]
STATUSES = [200, 302, 404, 500]


def _handlers(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers a record logged on `logger` reaches."""
    found: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        found.extend(current.handlers)
        current = current.parent if current.propagate else None
    return found


@contextmanager
def _captured(logger: logging.Logger) -> Iterator[io.StringIO]:
    out = io.StringIO()
    streams = []
    for handler in _handlers(logger):
        if isinstance(handler, logging.StreamHandler):
            streams.append((handler, handler.setStream(out)))
    level = logger.level
    logger.setLevel(logging.DEBUG)  # the development server's 200s are below its level; redact them anyway
    try:
        yield out
    finally:
        logger.setLevel(level)
        for handler, stream in streams:
            handler.setStream(stream)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("path", PATHS)
def test_the_development_servers_access_log_is_redacted(path: str, status: int) -> None:
    logger = logging.getLogger("django.server")
    assert _handlers(logger), "django.server must reach a handler"
    with _captured(logger) as out:
        # As django.core.servers.basehttp.WSGIRequestHandler.log_message logs a request.
        level = logger.error if status >= 500 else logger.warning if status >= 400 else logger.info
        level('"%s" %s %s', f"GET {path}?page=2 HTTP/1.1", str(status), "12", extra={"request": None, "status_code": status, "server_time": "now"})
    text = out.getvalue()
    assert TOKEN not in text and "[redacted]" in text, text


@pytest.mark.parametrize("name", ["django.request", "django", "django.security.csrf", "changeboard.surveys", ""])
@pytest.mark.parametrize("path", PATHS)
def test_every_django_logger_is_redacted(name: str, path: str) -> None:
    logger = logging.getLogger(name)
    with _captured(logger) as out:
        logger.warning("Not Found: %s", path)
        try:
            raise RuntimeError(f"failed on {path}")
        except RuntimeError:
            logger.exception("Internal Server Error: %s", path)
    text = out.getvalue()
    assert "Not Found: " + path.replace(TOKEN, "[redacted]") in text, text
    assert "failed on " + path.replace(TOKEN, "[redacted]") in text, text  # the traceback too
    assert TOKEN not in text, text


def test_no_default_django_handler_sees_a_record_before_redaction() -> None:
    """Django's default handlers (a DEBUG console, mail to admins) are replaced."""
    for name in ["django", "django.request", "django.server", "django.security", "py.warnings"]:
        for handler in _handlers(logging.getLogger(name)):
            if type(handler).__module__.startswith("_pytest"):
                continue  # pytest's own capture
            assert any(type(f).__name__ == "RedactSurveyLinksFilter" for f in handler.filters), (name, handler)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> int:
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return int(opener.open(request, timeout=10).status)
    except urllib.error.HTTPError as exc:
        return exc.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_gunicorns_access_and_error_logs_are_redacted(tmp_path: Path) -> None:
    """`gunicorn ...` run from the repository reads gunicorn.conf.py, whose logger redacts."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    command = [sys.executable, "-m", "gunicorn", "changeboard.core.tests.gunicorn_probe:app", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--access-logfile", "-", "--error-logfile", "-"]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    _get(f"{base}/ready")
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
            for path in PATHS:
                for status in STATUSES:
                    assert _get(f"{base}{path}?status={status}", Referer=f"{base}{path}") == status
                assert _get(f"{base}{path}?status=raise") == 500
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    for path in PATHS:
        redacted = path.replace(TOKEN, "[redacted]")
        for status in STATUSES:
            assert f'"GET {redacted}?status={status} HTTP/1.1" {status}' in text, text
    assert "Error handling request" in text
    assert TOKEN not in text, text
