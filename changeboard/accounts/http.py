"""Typing for views behind a sign-in: their request's user is a `User`.

Django types `request.user` as `User | AnonymousUser`; a view that only a
signed-in user reaches (LoginRequiredMixin, as every scoped view) declares
`request: AuthenticatedHttpRequest` so that it can pass `self.request.user`
to a service's `actor: User` (the pattern django-stubs documents)."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
