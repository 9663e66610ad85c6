"""Recognition: hours given and activities done per champion in a period,
and the thank-you a programme sends."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.params import parse_id
from changeboard.core.scoping import ADD
from changeboard.core.views import ScopedListView, ServiceFormView
from changeboard.portfolio.models import Programme

from ..filtersets.recognition import RecognitionFilterSet
from ..forms.recognition import ThanksForm
from ..models import Champion, Thanks
from ..services.recognition import default_message, thank_programmes, thanks_send
from ..tables.recognition import RecognitionTable


class RecognitionView(ScopedListView):
    request: AuthenticatedHttpRequest
    model = Champion
    table_class = RecognitionTable
    filterset_class = RecognitionFilterSet
    template_name = "network/recognition.html"
    page_title = "Recognition"
    export_name = "champion-recognition"
    export_columns = [("Staff number", "staff__staff_number"), ("First name", "staff__first_name"), ("Last name", "staff__last_name"),
                      ("Unit", "staff__unit__name"), ("Status", "status"), ("Activities done", "done"), ("Minutes given", "minutes"),
                      ("Hours given", "hours")]

    def get_queryset(self) -> QuerySet:
        return (super().get_queryset().filter(status__in=(Champion.Status.ACTIVE, Champion.Status.ENDED))
                .select_related("staff__unit").order_by("staff__last_name", "staff__first_name", "pk"))

    def get_table(self, **kwargs: Any) -> Any:
        table: RecognitionTable = super().get_table(**kwargs)  # type: ignore[assignment]  # the table_class above
        user = self.request.user
        if user.role in ("admin", "change_manager"):
            page_ids = [row.record.pk for row in table.page.object_list] if getattr(table, "page", None) else []
            table.thankable = frozenset(Champion.objects.filter(pk__in=page_ids, supports__programme__in=thank_programmes_all(user))
                                        .values_list("pk", flat=True))
        return table


def thank_programmes_all(user: Any) -> QuerySet:
    """Every programme an admin may thank for; a change manager's own."""
    return Programme.objects.all() if user.role == "admin" else user.programmes.all()


class ThanksSendView(ServiceFormView):
    """A change manager of a programme the champion supports thanks them."""

    request: AuthenticatedHttpRequest
    model = Thanks
    action = ADD
    form_class = ThanksForm
    template_name = "network/thanks_form.html"
    page_title = "Thank a champion"
    submit_label = "Send the thank-you"
    success_message = "Thank you sent. The champion will receive it by email."

    def get_object(self) -> Model | None:
        self.champion = get_object_or_404(Champion.objects.restrict(self.request.user).select_related("staff", "user"), pk=self.kwargs["pk"])
        self.programmes = thank_programmes(self.request.user, self.champion)
        if not self.programmes.exists():
            raise Http404
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["programmes"] = self.programmes
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        wanted = parse_id(self.request.GET.get("programme"))
        programme = self.programmes.filter(pk=wanted).first() if wanted else None
        programme = programme or self.programmes.first()
        return {"programme": programme, "message": default_message(self.champion, programme) if programme else ""}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["champion"] = self.champion
        return context

    def get_cancel_url(self) -> str:
        return reverse("network-recognition")

    def perform(self, form: Any) -> Model:
        try:
            return thanks_send(champion=self.champion, programme=form.cleaned_data["programme"], message=form.cleaned_data["message"],
                               actor=self.request.user)
        except PermissionDenied:
            raise Http404 from None

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]
        return reverse("champion-detail", args=[self.champion.pk])
