"""The change approach's pages: the list, starting one, the document with
its scope (from the impact assessments) and the live evidence beside its
promises, editing its sections, group approaches and promises, the
workflow (submit, approve, return), its approved versions with what
changed, and the document as PDF (or HTML) download. Every write goes
through `services.approach`; scoping is the models' (`restrict`)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.params import id_or_404, parse_id
from changeboard.core.scoping import ADD, CHANGE, DELETE, VIEW, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ServiceFormView
from changeboard.organisation.models import Unit
from changeboard.reports.packs import render_pdf

from ..evidence import Evidence, Shared, approach_evidence, promised, promises_summary
from ..filtersets.approach import ApproachFilterSet
from ..forms.approach import (
    ApproachCreateForm,
    ApproachForm,
    ConfirmForm,
    GroupApproachForm,
    PromiseForm,
    ReturnForm,
    SubmitForm,
    programmes_to_start,
)
from ..models import Approach, ApproachVersion, GroupApproach, Promise, Section
from ..services import approach as services
from ..services.scope import impacted_groups
from ..tables.approach import EXPORT_COLUMNS, ApproachTable

LIST = ("Change approaches", "approach-list")


def _list_crumb() -> tuple[str, str]:
    return (LIST[0], reverse(LIST[1]))


def _approach_crumbs(approach: Approach) -> list[tuple[str, str]]:
    return [_list_crumb(), (str(approach.programme.code), approach.get_absolute_url())]


def get_approach(request: HttpRequest, pk: Any, action: str = VIEW) -> Approach:
    queryset = Approach.objects.restrict(request.user, action).select_related("programme", "submitted_by", "approved_by")
    return get_object_or_404(queryset, pk=id_or_404(pk))


def promise_rows(evidence: list[tuple[Promise, Evidence]]) -> list[dict[str, Any]]:
    """The promises by section, in the sections' order, each with its evidence."""
    rows = []
    for value, label in Section.choices:
        found = [(p, e, promised(p)) for p, e in evidence if p.section == value]
        if found:
            rows.append({"section": value, "label": label, "promises": found})
    return rows


def document_context(approach: Approach) -> dict[str, Any]:
    """What the document shows (the page, the HTML and PDF downloads). The
    programme's champion coverage is computed once: the champion-ratio
    promise and the scope's headcounts (its `by_unit`, the same rule) both
    read it (`bench capability`: it was computed once and counted again unit
    by unit at met scale)."""
    day, shared = timezone.localdate(), Shared()
    evidence = approach_evidence(approach, day, shared)
    held, total, no_data = promises_summary(approach, evidence)
    by_unit = shared.coverage(approach.programme, day).by_unit
    sections = promise_rows(evidence)
    return {
        "approach": approach, "programme": approach.programme, "sections": sections,
        "by_section": {row["section"]: row for row in sections},
        "held": held, "total": total, "no_data": no_data,
        "impacted": impacted_groups(approach.programme, day, headcounts={pk: cell.impacted for pk, cell in by_unit.items()}),
        "groups": [(group, [(label, getattr(group, name)) for name, label in services.GROUP_FIELDS])
                   for group in approach.groups.select_related("unit").order_by("unit__path", "role_group")],
        "now": timezone.now(),
    }


class ApproachListView(ScopedListView):
    request: AuthenticatedHttpRequest
    model = Approach
    table_class = ApproachTable
    filterset_class = ApproachFilterSet
    template_name = "capability/approach_list.html"
    page_title = "Change approaches"
    export_name = "change-approaches"
    export_columns = EXPORT_COLUMNS

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme").order_by("programme__code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["to_start"] = list(programmes_to_start(self.request.user)) if can(self.request.user, Approach, ADD) else []
        return context


class ApproachCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Approach
    action = ADD
    form_class = ApproachCreateForm
    page_title = "Start a change approach"
    submit_label = "Start the approach"
    success_message = "The change approach is started. Add its sections, groups and promises, then submit it for approval."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        programme = parse_id(self.request.GET.get("programme"))
        return {"programme": programme} if programme else {}

    def get_cancel_url(self) -> str:
        return reverse("approach-list")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_list_crumb(), ("Start", "")]

    def perform(self, form: Any) -> Model:
        data = form.cleaned_data
        return services.approach_create(programme=data["programme"], actor=self.request.user, objectives=data["objectives"],
                                        case_for_change=data["case_for_change"])


class ApproachDetailView(ScopedDetailView):
    request: AuthenticatedHttpRequest
    model = Approach
    template_name = "capability/approach_detail.html"
    context_object_name = "approach"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "submitted_by", "approved_by")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_list_crumb(), (self.object.programme.code, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        approach: Approach = self.object
        user = self.request.user
        may_change = Approach.objects.restrict(user, CHANGE).filter(pk=approach.pk).exists()
        context.update(document_context(approach))
        context.update(
            page_title=f"{approach.programme.code}: change approach", can_change=may_change,
            can_submit=may_change and approach.status == Approach.Status.DRAFT,
            can_approve=may_change and services.can_approve(approach, user),
            can_return=may_change and approach.status == Approach.Status.SUBMITTED,
            own_submission=approach.status == Approach.Status.SUBMITTED and approach.submitted_by_id == user.pk,
            version_count=approach.versions.count(), returned_because=services.return_reason(approach),
        )
        return context


class ApproachFormView(ServiceFormView):
    """A page acting on one approach the user may change (else 404)."""

    request: AuthenticatedHttpRequest
    model = Approach
    object: Any

    def get_object(self) -> Approach:
        return get_approach(self.request, self.kwargs["pk"], CHANGE)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _approach_crumbs(self.object)


class ApproachEditView(ApproachFormView):
    model = Approach
    form_class = ApproachForm
    page_title = "Edit the change approach"
    success_message = "Saved. The approach is a draft again until it is approved."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.object.status != Approach.Status.DRAFT:
            context["intro"] = (f"This approach is {self.object.get_status_display().lower()}: saving puts it back to draft. "
                                f"The approved version v{self.object.version} stays as it is." if self.object.version else
                                "Saving puts it back to draft.")
        return context

    def perform(self, form: Any) -> Model:
        return services.approach_update(approach=self.object, actor=self.request.user, **form.cleaned_data)


class ApproachSubmitView(ApproachFormView):
    model = Approach
    form_class = SubmitForm
    page_title = "Submit the approach for approval"
    submit_label = "Submit for approval"
    success_message = "Submitted. Another change manager of the programme approves it."
    extra_context = {"intro": "A change manager of the programme other than you approves it; each approval keeps a version."}

    def get_initial(self) -> dict[str, Any]:
        return {"note": self.object.change_note}

    def perform(self, form: Any) -> Model:
        return services.approach_submit(approach=self.object, actor=self.request.user, note=form.cleaned_data["note"])


class ApproachApproveView(ApproachFormView):
    model = Approach
    form_class = ConfirmForm
    page_title = "Approve the change approach"
    submit_label = "Approve"
    success_message = "Approved: the version is kept with what changed."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        approach = self.object
        context["intro"] = (f"Approving makes this version {approach.version + 1} of {approach.programme.code}'s change approach. "
                            f"Change note: {approach.change_note or 'none'}.")
        return context

    def perform(self, form: Any) -> Model:
        services.approach_approve(approach=self.object, actor=self.request.user)
        return cast(Model, self.object)


class ApproachReturnView(ApproachFormView):
    model = Approach
    form_class = ReturnForm
    page_title = "Return the approach to draft"
    submit_label = "Return to draft"
    success_message = "Returned to draft."

    def perform(self, form: Any) -> Model:
        return services.approach_return(approach=self.object, actor=self.request.user, reason=form.cleaned_data["reason"])


class ApproachVersionsView(ScopedDetailView):
    request: AuthenticatedHttpRequest
    model = Approach
    template_name = "capability/approach_versions.html"
    context_object_name = "approach"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*_approach_crumbs(self.object), ("Versions", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(page_title=f"{self.object.programme.code}: approved versions",
                       versions=list(self.object.versions.select_related("approved_by", "submitted_by").order_by("-number")))
        return context


class ApproachVersionView(ScopedDetailView):
    request: AuthenticatedHttpRequest
    model = ApproachVersion
    template_name = "capability/approach_version.html"
    context_object_name = "version"

    def get_object(self, queryset: QuerySet | None = None) -> ApproachVersion:
        approach = get_approach(self.request, self.kwargs["pk"])
        number = parse_id(self.kwargs["number"])
        version = ApproachVersion.objects.restrict(self.request.user).filter(approach=approach, number=number).select_related(
            "approved_by", "submitted_by").first() if number else None
        if version is None:
            raise Http404("No such version.")
        return version

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        approach = self.object.approach
        return [*_approach_crumbs(approach), ("Versions", reverse("approach-versions", args=[approach.pk])), (f"v{self.object.number}", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        content = self.object.content
        labels = dict(services.SECTION_FIELDS)
        context.update(page_title=f"{self.object.approach.programme.code}: change approach v{self.object.number}",
                       sections=[(labels[name], content.get("sections", {}).get(name, "")) for name in labels],
                       groups=content.get("groups", []), promises=content.get("promises", []), group_fields=services.GROUP_FIELDS)
        return context


class ApproachPdfView(ScopedDetailView):
    """The document as an attachment: PDF (WeasyPrint, the pack's styles) or,
    with `?format=html`, the same self-contained HTML. The file name has
    the programme's code only."""

    request: AuthenticatedHttpRequest
    model = Approach

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        approach = self.get_object()
        html = render_to_string("capability/approach_pdf.html", document_context(approach), request=request)
        name = f"change-approach-{approach.programme.code}".lower()
        if request.GET.get("format") == "html":
            response = HttpResponse(html, content_type="text/html; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.html"'
            return response
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response


# ---------------------------------------------------------------- group approaches and promises


class ChildFormView(ServiceFormView):
    """A group approach's or promise's page: back to its approach."""

    request: AuthenticatedHttpRequest
    object: Any
    approach: Approach

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _approach_crumbs(self.approach)

    def get_cancel_url(self) -> str:
        return self.approach.get_absolute_url()

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]  # ServiceFormView's: after the saved object
        return self.approach.get_absolute_url()


class GroupApproachAddView(ChildFormView):
    """`?unit=<id>&role_group=<group>` prefills the group (the links from the scope section)."""

    model = GroupApproach
    action = ADD
    form_class = GroupApproachForm
    page_title = "Add a group approach"
    success_message = "Group approach added."

    def get_object(self) -> None:
        self.approach = get_approach(self.request, self.kwargs["pk"], CHANGE)
        return None

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        unit = parse_id(self.request.GET.get("unit"))
        if unit and Unit.objects.filter(pk=unit).exists():
            initial["unit"] = unit
        role_group = self.request.GET.get("role_group", "")
        if role_group in dict(GroupApproach._meta.get_field("role_group").choices or []):
            initial["role_group"] = role_group
        return initial

    def perform(self, form: Any) -> Model:
        data = dict(form.cleaned_data)
        return services.group_approach_create(approach=self.approach, actor=self.request.user, **data)


class GroupApproachEditView(ChildFormView):
    model = GroupApproach
    form_class = GroupApproachForm
    page_title = "Edit the group approach"
    success_message = "Group approach saved."

    def get_object(self) -> GroupApproach:
        group = get_object_or_404(GroupApproach.objects.restrict(self.request.user, CHANGE).select_related("approach__programme", "unit"),
                                  pk=id_or_404(self.kwargs["pk"]))
        self.approach = group.approach
        return group

    def perform(self, form: Any) -> Model:
        return services.group_approach_update(group=self.object, actor=self.request.user, **form.cleaned_data)


class GroupApproachDeleteView(ChildFormView):
    model = GroupApproach
    action = DELETE
    form_class = ConfirmForm
    page_title = "Remove the group approach"
    submit_label = "Remove"
    success_message = "Group approach removed."

    def get_object(self) -> GroupApproach:
        group = get_object_or_404(GroupApproach.objects.restrict(self.request.user, DELETE).select_related("approach__programme", "unit"),
                                  pk=id_or_404(self.kwargs["pk"]))
        self.approach = group.approach
        return group

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "intro": f"Remove the approach for {self.object}? The approach becomes a draft again."}

    def perform(self, form: Any) -> Model:
        services.group_approach_delete(group=self.object, actor=self.request.user)
        return self.approach


class PromiseAddView(ChildFormView):
    model = Promise
    action = ADD
    form_class = PromiseForm
    page_title = "Add a promise"
    success_message = "Promise added: its live evidence shows beside it."

    def get_object(self) -> None:
        self.approach = get_approach(self.request, self.kwargs["pk"], CHANGE)
        return None

    def get_initial(self) -> dict[str, Any]:
        section = self.request.GET.get("section", "")
        return {"section": section} if section in Section.values else {}

    def perform(self, form: Any) -> Model:
        return services.promise_create(approach=self.approach, actor=self.request.user, **form.cleaned_data)


class PromiseEditView(ChildFormView):
    model = Promise
    form_class = PromiseForm
    page_title = "Edit the promise"
    success_message = "Promise saved."

    def get_object(self) -> Promise:
        promise = get_object_or_404(Promise.objects.restrict(self.request.user, CHANGE).select_related("approach__programme"),
                                    pk=id_or_404(self.kwargs["pk"]))
        self.approach = promise.approach
        return promise

    def perform(self, form: Any) -> Model:
        return services.promise_update(promise=self.object, actor=self.request.user, **form.cleaned_data)


class PromiseDeleteView(ChildFormView):
    model = Promise
    action = DELETE
    form_class = ConfirmForm
    page_title = "Remove the promise"
    submit_label = "Remove"
    success_message = "Promise removed."

    def get_object(self) -> Promise:
        promise = get_object_or_404(Promise.objects.restrict(self.request.user, DELETE).select_related("approach__programme"),
                                    pk=id_or_404(self.kwargs["pk"]))
        self.approach = promise.approach
        return promise

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "intro": f"Remove the promise “{self.object}”? The approach becomes a draft again."}

    def perform(self, form: Any) -> Model:
        services.promise_delete(promise=self.object, actor=self.request.user)
        return self.approach
