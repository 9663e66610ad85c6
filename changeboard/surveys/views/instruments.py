"""Questionnaire pages: the instruments, one instrument with its questions
and versions, adding and removing questions, and new bank questions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django_tables2 import Column, Table

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.accounts.models import User
from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.portfolio.models import Programme

from .. import services
from ..forms import AddQuestionForm, InstrumentCreateForm, QuestionForm, instrument_choices
from ..models import Instrument, Question, SurveyWave


class InstrumentTable(Table):
    name = Column(linkify=True)
    programme = Column(accessor="programme__code", default="Portfolio default", order_by=("programme__code",))
    version = Column()
    locked = Column(verbose_name="Sent")

    class Meta:
        model = Instrument
        fields = ["name", "programme", "version", "locked"]
        empty_text = "No questionnaires yet."

    def render_version(self, value: int) -> str:
        return f"v{value}"

    def render_locked(self, value: bool) -> str:
        return "Yes, frozen" if value else "Not yet"


def changeable_instruments(user: User | AnonymousUser) -> QuerySet:
    return Instrument.objects.restrict(user, CHANGE)


class InstrumentListView(ScopedListView):
    model = Instrument
    table_class = InstrumentTable
    filterset_class = None
    template_name = "surveys/instrument_list.html"
    page_title = "Survey questionnaires"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().filter(pk__in=instrument_choices(self.request.user).values("pk")).select_related("programme")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, Instrument, ADD) and Programme.objects.restrict(self.request.user, CHANGE).exists()
        context["breadcrumbs"] = [("Readiness surveys", reverse("wave-list")), ("Questionnaires", "")]
        return context


class InstrumentDetailView(ScopedDetailView):
    model = Instrument
    template_name = "surveys/instrument_detail.html"
    context_object_name = "instrument"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Readiness surveys", reverse("wave-list")), ("Questionnaires", reverse("instrument-list")), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        instrument: Instrument = self.object
        context["page_title"] = str(instrument)
        context["items"] = instrument.items.select_related("question").order_by("position", "pk")
        context["versions"] = Instrument.objects.restrict(self.request.user).filter(lineage=instrument.lineage).order_by("-version")
        context["latest"] = services.latest_version(instrument)
        context["can_change"] = changeable_instruments(self.request.user).filter(pk=instrument.pk).exists()
        context["waves"] = SurveyWave.objects.restrict(self.request.user).filter(instrument=instrument).select_related("programme")[:20]
        if context["can_change"]:
            context["add_form"] = AddQuestionForm(questions=bank_for(instrument).exclude(pk__in=instrument.questions.all()))
        return context


def bank_for(instrument: Instrument) -> QuerySet:
    """Questions an instrument may use: the shared bank and its programme's own."""
    return Question.objects.filter(Q(programme__isnull=True) | Q(programme=instrument.programme_id)).order_by("code")


class InstrumentCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Instrument
    action = ADD
    form_class = InstrumentCreateForm
    submit_label = "Create questionnaire"
    success_message = "Questionnaire created. Add your programme's own questions below."
    page_title = "New questionnaire"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(programmes=Programme.objects.restrict(self.request.user, CHANGE).order_by("code"),
                      instruments=instrument_choices(self.request.user))
        return kwargs

    def get_cancel_url(self) -> str:
        return reverse("instrument-list")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Readiness surveys", reverse("wave-list")), ("Questionnaires", reverse("instrument-list")), ("New", "")]

    def perform(self, form: Any) -> Model:
        data = form.cleaned_data
        return services.instrument_create(name=data["name"], programme=data["programme"], base=data["base"], actor=self.request.user)


class InstrumentItemView(ScopedMixin, View):
    """POST only: add a bank question, or remove one. Changing a version that
    a wave was sent with makes the next version, and the page moves to it."""

    model = Instrument
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instrument = get_object_or_404(changeable_instruments(request.user), pk=kwargs["pk"])
        try:
            if "question_pk" in kwargs:
                question = get_object_or_404(Question, pk=kwargs["question_pk"])
                result = services.instrument_remove_question(instrument=instrument, question=question, actor=request.user)
                done = "Question removed."
            else:
                form = AddQuestionForm(request.POST, questions=bank_for(instrument))
                if not form.is_valid():
                    messages.error(request, "Choose a question to add.")
                    return redirect(instrument.get_absolute_url())
                result = services.instrument_add_question(instrument=instrument, question=form.cleaned_data["question"], actor=request.user)
                done = "Question added."
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(instrument.get_absolute_url())
        if result.pk != instrument.pk and result.version > instrument.version:
            done += f" Version {instrument.version} was already sent, so this is version {result.version}; sent waves keep theirs."
        messages.success(request, done)
        return redirect(result.get_absolute_url())


class QuestionCreateView(ServiceFormView):
    """A new question for a programme's bank, added to the instrument."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Question
    action = ADD
    form_class = QuestionForm
    submit_label = "Add question"
    success_message = "Question created and added."
    page_title = "New question"

    def get_object(self) -> Model | None:
        self.instrument = get_object_or_404(changeable_instruments(self.request.user), pk=self.kwargs["pk"])
        return None

    def get_cancel_url(self) -> str:
        return self.instrument.get_absolute_url()

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Questionnaires", reverse("instrument-list")), (str(self.instrument), self.instrument.get_absolute_url()), ("New question", "")]

    def perform(self, form: Any) -> Model:
        data = form.cleaned_data
        with transaction.atomic():
            question = services.question_create(
                code=data["code"], text=data["text"], hint=data["hint"], kind=data["kind"], adkar=data["adkar"],
                choices=data["choices"].splitlines(), programme=self.instrument.programme, actor=self.request.user,
            )
            return services.instrument_add_question(instrument=self.instrument, question=question, actor=self.request.user)
