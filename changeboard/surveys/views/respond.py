"""The public survey page: answered from a personal link, with no account.

Every state but "already submitted" gets the same generic message, so a
guessed or stale link learns nothing. The page needs no JavaScript, is not
cached, and its path (which holds the token) is redacted from logs.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from .. import services
from ..models import ANSWER_TEXT_MAX, Question

LIKERT = [(1, "Strongly disagree"), (2, "Disagree"), (3, "Neither agree nor disagree"), (4, "Agree"), (5, "Strongly agree")]


def _options(question: Question) -> list[tuple[int, str]]:
    if question.kind == Question.Kind.LIKERT:
        return LIKERT
    if question.kind == Question.Kind.SCALE:
        return [(n, str(n)) for n in range(11)]
    if question.kind == Question.Kind.CHOICE:
        return list(enumerate(question.choices, start=1))
    return []


def _sections(invitation: Any, data: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    sections = []
    for wave, questions in services.survey_sections(invitation):
        items = []
        for question in questions:
            name = services.field_name(wave, question)
            items.append({"question": question, "name": name, "options": _options(question),
                          "value": str(data.get(name, "")) if data else "", "error": errors.get(name, "")})
        sections.append({"wave": wave, "programme": wave.programme, "items": items})
    return sections


@method_decorator(never_cache, name="dispatch")
class RespondView(View):
    template_name = "surveys/respond.html"

    def _page(self, request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
        response = render(request, template, {"page_title": context.pop("page_title", "Readiness survey"), **context}, status=status)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def _unavailable(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, "surveys/respond_unavailable.html", status=404, page_title="This survey link cannot be used")

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation, state = services.invitation_for(token)
        if state == services.LinkState.USED:
            return self._page(request, "surveys/respond_done.html", page_title="You have already answered this survey", already=True)
        if state != services.LinkState.OPEN or invitation is None:
            return self._unavailable(request)
        return self._page(request, self.template_name, sections=_sections(invitation, None, {}), text_max=ANSWER_TEXT_MAX,
                          closes_on=invitation.expires_on)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            services.submit(token=token, data=request.POST, wave_ids=request.POST.getlist("waves") or None)
        except services.AlreadySubmitted:
            return self._page(request, "surveys/respond_done.html", page_title="You have already answered this survey", already=True)
        except services.LinkNotOpen:
            return self._unavailable(request)
        except ValidationError as exc:
            invitation, _ = services.invitation_for(token)
            if hasattr(exc, "error_dict"):
                errors, general = {name: messages[0] for name, messages in exc.message_dict.items()}, ""
            else:
                errors, general = {}, " ".join(exc.messages)
            return self._page(request, self.template_name, status=400, sections=_sections(invitation, request.POST, errors),
                              errors=errors, general_error=general, text_max=ANSWER_TEXT_MAX,
                              closes_on=invitation.expires_on if invitation else None, page_title="Error: Readiness survey")
        return self._page(request, "surveys/respond_done.html", page_title="Thank you", already=False)
