"""Tables for readiness criteria (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..models import Criterion, Rag

# Colour is never the only signal: every tag carries its RAG in words.
RAG_TAGS: dict[str, str] = {
    Rag.GREEN: "govuk-tag--green",
    Rag.AMBER: "govuk-tag--yellow",
    Rag.RED: "govuk-tag--red",
    Rag.NO_DATA: "govuk-tag--grey",
    Rag.NOT_ASSESSED: "govuk-tag--grey",
}


def rag_tag(rag: str, label: str) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>', RAG_TAGS.get(rag, "govuk-tag--grey"), label)


class _Count(tables.Column):
    """A count of units at one RAG, annotated on the queryset as `n_<rag>`."""

    def __init__(self, rag: Rag, **kwargs: object) -> None:
        super().__init__(accessor=f"n_{rag.value}", verbose_name=rag.label, attrs={"td": {"class": "govuk-table__cell--numeric"}},
                         **kwargs)


class CriterionTable(tables.Table):
    """A programme's criteria with their owner, feed, due date and how many
    of their units stand at each RAG (counts of the units the reader may see)."""

    title = tables.Column(verbose_name="Criterion", linkify=True)
    category = tables.Column()
    criticality = tables.Column()
    owner = tables.Column(default="No owner", order_by=("owner__last_name", "owner__first_name"))
    feed = tables.Column(verbose_name="Assessed by")
    due_date = tables.DateColumn(verbose_name="Due", format="j M Y", default="No date")
    n_green = _Count(Rag.GREEN)
    n_amber = _Count(Rag.AMBER)
    n_red = _Count(Rag.RED)
    n_no_data = _Count(Rag.NO_DATA)
    n_not_assessed = _Count(Rag.NOT_ASSESSED)

    class Meta:
        model = Criterion
        fields = ["title", "category", "criticality", "owner", "feed", "due_date", "n_green", "n_amber", "n_red", "n_no_data",
                  "n_not_assessed"]
        empty_text = "No criteria match these filters."

    def render_criticality(self, record: Criterion) -> str:
        css = "govuk-tag--red" if record.criticality == "critical" else "govuk-tag--grey"
        return format_html('<strong class="govuk-tag {}">{}</strong>', css, record.get_criticality_display())

    def render_owner(self, record: Criterion) -> str:
        owner = record.owner
        return (owner.get_full_name() or owner.get_username()) if owner is not None else "No owner"
