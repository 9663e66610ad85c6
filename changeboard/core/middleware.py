"""Request ids (carried into logs and audit rows), session lifetimes, no-store and a 400 for oversized numbers."""

from __future__ import annotations

import contextvars
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DataError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from changeboard.core.redaction import RedactSurveyLinksFilter

__all__ = [
    "NoStoreMiddleware",
    "NumberOverflowMiddleware",
    "RedactSurveyLinksFilter",
    "RequestIdFilter",
    "RequestIdMiddleware",
    "SessionLifetimeMiddleware",
    "SessionMiddleware",
    "current_request_id",
    "is_background",
]

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Takes a safe X-Request-ID from a proxy or makes one; echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


# Sessions ------------------------------------------------------------------

SESSION_STARTED = "_changeboard_signed_in_at"
SESSION_LAST_SEEN = "_changeboard_last_seen_at"
BACKGROUND_HEADER = "X-Background-Poll"


def _now() -> int:
    return int(time.time())


def is_background(request: HttpRequest) -> bool:
    """A request the page makes by itself (a live poll), not the person using it."""
    return request.headers.get(BACKGROUND_HEADER) == "1"


@receiver(user_logged_in)
def _start_session_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = _now()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except that a background poll does not
    save an unchanged session: saving it would push its expiry (the idle
    timeout) on."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and is_background(request) and not session.modified and not session.is_empty():
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)


class SessionLifetimeMiddleware:
    """Signs a person out after SESSION_IDLE_MINUTES without a request of
    theirs, or SESSION_ABSOLUTE_HOURS after signing in, however active. A
    background poll neither counts as activity nor keeps a session alive."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = _now()
            started = session.setdefault(SESSION_STARTED, now)
            last_seen = session.get(SESSION_LAST_SEEN, now)
            if now - int(started) >= settings.SESSION_ABSOLUTE_SECONDS or now - int(last_seen) >= settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif not is_background(request):
                session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


# Caching -------------------------------------------------------------------


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's other never-cache headers) on
    every response the application renders: pages, exports, the API, the
    sign-in page and the personal survey pages. Static files are answered by
    WhiteNoise before this middleware and keep their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


# Numbers too large for the database ----------------------------------------


class NumberOverflowMiddleware:
    """A query parameter holding a whole number too large for the database
    (an id or a page number past 2**63) is the client's mistake: answer 400,
    not a server error. Views parse numbers themselves; this is the backstop
    at the database boundary, where SQLite and PostgreSQL both overflow."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if not isinstance(exception, OverflowError) and not _is_out_of_range(exception):
            return None
        message = "A number in the request is too large."
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _is_out_of_range(exception: Exception) -> bool:
    """PostgreSQL's "value out of range" for an integer parameter."""
    return isinstance(exception, DataError) and "out of range" in str(exception)
