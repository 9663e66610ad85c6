"""Personal survey links and hypercare raise-a-query links never reach a log.

A survey link's path (`/s/<token>/`, `/api/v1/survey/<token>/`) is as good as
the respondent's key, and a hypercare period's public link
(`/support/<token>/`) lets anyone raise queries into it, so every log line
is passed through `redact` (the support pages that hold no token,
`/support/status/` and `/support/raised/`, are left as they are): the
Django loggers (requests, the development server's access log) through
`RedactSurveyLinksFilter` on their handler, and gunicorn's access and error
logs through `GunicornLogger` (named by the repository's `gunicorn.conf.py`).
This module imports no Django, so gunicorn can load it before the app.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornBaseLogger  # type: ignore[import-untyped]

SURVEY_LINK = re.compile(r"/(s|api/v1/survey|support)/(?!(?:status|raised)(?:[/\s\"'?#&]|$))[^/\s\"'?#&]+")


def redact(text: str) -> str:
    """`text` with every survey or raise-a-query link's token replaced by `[redacted]`."""
    if "/s/" not in text and "/survey/" not in text and "/support/" not in text:
        return text
    return SURVEY_LINK.sub(r"/\1/[redacted]", text)


class RedactSurveyLinksFilter(logging.Filter):
    """Rewrites a record's message (and its traceback text) without the tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a malformed record: the formatter reports it
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's logger with survey links redacted from the access line
    (request line, path, referrer, any header or environ atom) and from the
    error log."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactSurveyLinksFilter) for f in log.filters):
                log.addFilter(RedactSurveyLinksFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
