"""The public hypercare pages, for people without an account.

- `/support/<token>/`: raise a query from the link in the go-live
  communications. An unknown token, or an exited period's, is a 404 (the
  same page for both); the path is redacted from every log
  (`core.redaction`). POST-redirect-GET: the confirmation page
  (`/support/raised/`) finds the reference in the session, so no personal
  detail is ever in a URL.
- `/support/status/`: the reference AND the email or staff number it was
  raised with, POSTed (never in the URL); once found, the query is kept in
  the session and shown on GET, with its public timeline and, when it was
  resolved within the period's reopen window, a Reopen button.

No JavaScript is needed; refusals by a limit answer 429 with Retry-After
and keep what was typed.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from changeboard.core.forms import add_service_errors, govuk_style
from changeboard.core.params import parse_id

from ..forms.public import PublicRaiseForm, ReopenForm, StatusLookupForm
from ..models import Query
from ..services import public as services

RAISED_KEY = "hypercare_raised"
STATUS_KEY = "hypercare_status"


def client_ip(request: HttpRequest) -> str:
    """The address as sign-in throttling sees it (django-axes' rule)."""
    return get_client_ip_address(request) or ""


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200, retry_after: int | None = None) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _unavailable(request: HttpRequest) -> HttpResponse:
    return _page(request, "hypercare/public_unavailable.html", {"page_title": "This link cannot be used"}, status=404)


@method_decorator(never_cache, name="dispatch")
class PublicRaiseView(View):
    """Raise a query (no account)."""

    template_name = "hypercare/public_raise.html"
    http_method_names = ["get", "post", "head"]

    def _render(self, request: HttpRequest, form: PublicRaiseForm, status: int = 200, retry_after: int | None = None,
                limited: str = "") -> HttpResponse:
        period = form.period
        title = "Ask for help with a change" if status < 400 else "Error: Ask for help with a change"
        return _page(request, self.template_name, {"form": form, "period": period, "programme": period.rollout_wave.programme,
                                                   "limited": limited, "page_title": title}, status, retry_after)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        period = services.period_for_token(token)
        if period is None:
            return _unavailable(request)
        return self._render(request, PublicRaiseForm(period=period))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        period = services.period_for_token(token)
        if period is None:
            return _unavailable(request)
        form = PublicRaiseForm(request.POST, request.FILES, period=period)
        if not form.is_valid():
            return self._render(request, form, status=400)
        data = form.cleaned_data
        try:
            raised = services.public_raise(period=period, identifier=data["identifier"], category=data["category"],
                                           priority=data["priority"], title=data["title"], description=data["description"],
                                           files=data["attachments"], ip=client_ip(request))
        except services.Limited as exc:
            return self._render(request, form, status=429, retry_after=exc.retry_after, limited=exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
            govuk_style(form)
            return self._render(request, form, status=400)
        query = raised.query
        request.session[RAISED_KEY] = {"reference": query.reference, "title": query.title, "category": query.category.name,
                                       "token": token, "again": not raised.created, "email": bool(query.contact_email)}
        return redirect("public-raised")


@method_decorator(never_cache, name="dispatch")
class PublicRaisedView(View):
    """The confirmation, from the session: the reference and what to do next."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        raised = request.session.get(RAISED_KEY)
        if not isinstance(raised, dict):
            return _page(request, "hypercare/public_raised.html", {"page_title": "No query to show", "raised": None})
        return _page(request, "hypercare/public_raised.html", {"page_title": "Query sent", "raised": raised,
                                                               "raise_url": reverse("public-raise", args=[raised["token"]])})


@method_decorator(never_cache, name="dispatch")
class PublicStatusView(View):
    """Check a query's status (no account)."""

    template_name = "hypercare/public_status.html"
    http_method_names = ["get", "post", "head"]

    def _query(self, request: HttpRequest) -> Query | None:
        pk = parse_id(request.session.get(STATUS_KEY))
        if pk is None:
            return None
        return Query.objects.select_related("period", "category").filter(pk=pk).first()

    def _render(self, request: HttpRequest, *, form: StatusLookupForm | None = None, reopen_form: ReopenForm | None = None,
                status: int = 200, retry_after: int | None = None, limited: str = "") -> HttpResponse:
        query = None if form is not None else self._query(request)
        if query is None:
            form = form or StatusLookupForm()
            title = "Check the status of a query" if status < 400 else "Error: Check the status of a query"
            return _page(request, self.template_name, {"form": form, "limited": limited, "page_title": title}, status, retry_after)
        context = {
            "query": query, "timeline": services.public_timeline(query), "can_reopen": services.can_reopen(query),
            "reopen_deadline": services.reopen_deadline(query), "reopen_form": reopen_form or ReopenForm(),
            "page_title": f"Your query {query.reference}" if status < 400 else f"Error: Your query {query.reference}",
        }
        return _page(request, self.template_name, context, status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        step = request.POST.get("step", "lookup")
        if step == "forget":
            request.session.pop(STATUS_KEY, None)
            return redirect("public-status")
        if step == "reopen":
            return self._reopen(request)
        form = StatusLookupForm(request.POST)
        if not form.is_valid():
            return self._render(request, form=form, status=400)
        try:
            query = services.status_lookup(reference=form.cleaned_data["reference"], identifier=form.cleaned_data["identifier"],
                                           ip=client_ip(request))
        except services.Limited as exc:
            return self._render(request, form=form, status=429, retry_after=exc.retry_after, limited=exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._render(request, form=form, status=400)
        request.session.cycle_key()
        request.session[STATUS_KEY] = query.pk
        return redirect("public-status")

    def _reopen(self, request: HttpRequest) -> HttpResponse:
        query = self._query(request)
        if query is None:
            return redirect("public-status")
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                services.public_reopen(query=query, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
                govuk_style(form)
            else:
                request.session[STATUS_KEY] = query.pk
                return redirect(reverse("public-status") + "#timeline")
        return self._render(request, reopen_form=form, status=400)
