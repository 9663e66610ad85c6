"""Organisation pages: the unit tree, units, staff and the HR import."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.views.generic import TemplateView

from changeboard.core.scoping import can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin

from .filtersets import StaffFilterSet
from .models import Staff, Unit
from .tables import StaffTable


def subtree_headcounts(units: list[Unit]) -> dict[int, int]:
    """Staff in post at or below each unit: one grouped query, then each
    unit's direct count is added to its ancestors by path prefix."""
    grouped = Staff.objects.current().filter(unit__in=[u.pk for u in units]).values("unit").annotate(n=Count("pk"))
    direct = {row["unit"]: row["n"] for row in grouped}
    by_path = {u.path: u.pk for u in units}
    totals: dict[int, int] = defaultdict(int)
    for unit in units:
        count = direct.get(unit.pk, 0)
        if not count:
            continue
        for end in range(Unit.steplen, len(unit.path) + 1, Unit.steplen):
            ancestor = by_path.get(unit.path[:end])
            if ancestor is not None:
                totals[ancestor] += count
    return totals


class UnitTreeView(ScopedMixin, TemplateView):
    """The whole visible tree as nested, expandable lists."""

    model = Unit
    template_name = "organisation/unit_tree.html"
    page_title = "Units"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        units = list(self.get_queryset().order_by("path"))
        counts = subtree_headcounts(units)
        children: dict[str, list[Unit]] = defaultdict(list)
        visible = {u.path for u in units}
        roots = []
        for unit in units:
            unit.headcount = counts.get(unit.pk, 0)
            parent = unit.path[: -Unit.steplen]
            if parent in visible:
                children[parent].append(unit)
            else:
                roots.append(unit)
        for unit in units:
            unit.child_list = children.get(unit.path, [])
        context["roots"] = roots
        context["unit_count"] = len(units)
        return context


class UnitDetailView(ScopedDetailView):
    model = Unit
    template_name = "organisation/unit_detail.html"
    context_object_name = "unit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit: Unit = self.object
        visible = self.get_queryset()
        children = list(visible.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
        counts = subtree_headcounts([unit, *visible.filter(path__startswith=unit.path, depth__gt=unit.depth)])
        for child in children:
            child.headcount = counts.get(child.pk, 0)
        context.update(
            page_title=unit.name,
            children=children,
            headcount=counts.get(unit.pk, 0),
            direct_staff=Staff.objects.restrict(self.request.user).current().filter(unit=unit).select_related("rank_grade")[:25],
            direct_count=Staff.objects.restrict(self.request.user).current().filter(unit=unit).count(),
            waves=unit.rollout_waves.select_related("programme").order_by("go_live_date"),
        )
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        unit: Unit = self.object
        visible = set(self.get_queryset().filter(path__in=[unit.path[:i] for i in range(Unit.steplen, len(unit.path), Unit.steplen)]).values_list("path", flat=True))
        crumbs = [("Units", "/units/")]
        for ancestor in Unit.objects.get_ancestors(unit):
            if ancestor.path in visible:
                crumbs.append((ancestor.name, ancestor.get_absolute_url()))
        crumbs.append((unit.name, ""))
        return crumbs


class StaffListView(ScopedListView):
    model = Staff
    table_class = StaffTable
    filterset_class = StaffFilterSet
    page_title = "Staff"
    template_name = "organisation/staff_list.html"
    export_name = "staff"
    export_columns = [
        ("staff_number", "staff_number"),
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("email", "email"),
        ("unit_path", "unit__full_path"),
        ("role", "role"),
        ("rank_or_grade", "rank_grade__name"),
        ("location", "location"),
        ("shift_pattern", "shift_pattern"),
        ("line_manager_staff_number", "line_manager__staff_number"),
        ("start_date", "start_date"),
        ("leave_date", "leave_date"),
    ]

    def get_queryset(self):  # noqa: ANN201
        return super().get_queryset().select_related("unit", "rank_grade")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["perms_import"] = can(self.request.user, Staff, "add")
        return context


class StaffDetailView(ScopedDetailView):
    model = Staff
    template_name = "organisation/staff_detail.html"
    context_object_name = "person"

    def get_queryset(self):  # noqa: ANN201
        return super().get_queryset().select_related("unit", "rank_grade", "line_manager")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.object.full_name
        context["reports"] = Staff.objects.restrict(self.request.user).current().filter(line_manager=self.object)[:50]
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Staff", "/staff/"), (self.object.full_name, "")]


class StaffImportView(ScopedMixin, TemplateView):
    """Placeholder replaced by the import pages."""

    model = Staff
    action = "add"
    template_name = "organisation/unit_tree.html"


class StaffImportPreviewView(StaffImportView):
    pass
