"""Strict parsing of ids, page numbers and dates from query strings and forms.

`str.isdigit()` and `int()` accept far more than ASCII digits ("²" passes
`isdigit()` and then `int()` refuses it; `int("١")` is 1), and an id of 30
digits overflows the database's integer. Every view and API that reads an
id, a page number or a date from request data goes through this module:

- `parse_int` / `parse_id` / `parse_page` / `parse_date` answer the value or
  None (missing, malformed or out of range), for parameters a page may
  ignore; `require_id` answers 400 (`BadRequest`) instead, and
  `id_or_404` / `date_or_404` 404 for a value that names a page.
- `IdField`, `IdChoiceField`, `IdMultipleChoiceField` (forms) and
  `IdFilter`, `IdChoiceFilter` (filtersets) refuse a malformed id as a form
  error, before the database sees it.
- `StrictTableMixin` reads a table's `page` and `per_page` the same way.

The rule for a bad parameter: 400, or 404 for an id that names nothing, or a
page that ignores it or shows it as a form error; never 500.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Model
from django.http import Http404, HttpRequest
from django_filters import fields as filter_fields
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.tables import Table

MAX_ID = 2**63 - 1  # the largest value a bigint (and SQLite's INTEGER) holds
MAX_PAGE = 100_000
MAX_PER_PAGE = 500
_DIGITS = re.compile(r"[0-9]{1,19}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_int(value: Any, *, min: int = 0, max: int = MAX_ID) -> int | None:  # noqa: A002  (the names read best at the call)
    """An integer written in ASCII digits only (no sign, no spaces), within
    `min`..`max`; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if min <= number <= max else None


def parse_id(value: Any) -> int | None:
    """A primary key: a positive integer the database can hold, or None."""
    return parse_int(value, min=1)


def parse_page(value: Any, *, max: int = MAX_PAGE) -> int | None:  # noqa: A002
    """A page number (1 and up), or None."""
    return parse_int(value, min=1, max=max)


def parse_date(value: Any) -> dt.date | None:
    """An ISO date (yyyy-mm-dd, ASCII), or None."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def require_id(value: Any, name: str = "id") -> int:
    """A primary key, or 400 Bad Request."""
    number = parse_id(value)
    if number is None:
        raise BadRequest(f"{name} must be a whole number.")
    return number


def id_or_404(value: Any) -> int:
    """A primary key naming an object in the URL's sense: 404 when malformed."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


def date_or_404(value: Any) -> dt.date:
    """An ISO date naming a page (e.g. a week): 404 when malformed."""
    day = parse_date(value)
    if day is None:
        raise Http404
    return day


# ---------------------------------------------------------------------------
# Forms and filtersets


class IdField(forms.IntegerField):
    """An id typed or passed in a form or filter: ASCII digits, in range."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = parse_int(str(value).strip())
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class _StrictChoiceMixin:
    """Refuses a malformed primary key as an invalid choice, before the
    queryset lookup could overflow or fail on it."""

    error_messages: dict[str, Any]
    empty_values: Any
    to_field_name: str | None

    def _check_pk(self, value: Any, code: str) -> None:
        if self.to_field_name is None and not isinstance(value, Model) and parse_id(str(value)) is None:
            raise ValidationError(self.error_messages[code], code=code, params={"value": value, "pk": value})

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            self._check_pk(value, "invalid_choice")
        return super().to_python(value)  # type: ignore[misc]


class IdChoiceField(_StrictChoiceMixin, forms.ModelChoiceField):
    pass


class IdMultipleChoiceField(_StrictChoiceMixin, forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if not isinstance(pk, Model):
                self._check_pk(pk, "invalid_pk_value")
        return super()._check_values(value)  # type: ignore[misc]  # a private Django method django-stubs does not declare

    def to_python(self, value: Any) -> Any:
        return forms.ModelMultipleChoiceField.to_python(self, value)


class _IdChoiceFilterField(_StrictChoiceMixin, filter_fields.ModelChoiceField):
    pass


class IdFilter(django_filters.NumberFilter):
    """Filters on an id: malformed or out of range is a form error."""

    field_class = IdField  # type: ignore[assignment]  # the stub pins NumberFilter to DecimalField; an integer field is what ids need


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of object by id, refusing malformed ids as a form error."""

    field_class = _IdChoiceFilterField


# ---------------------------------------------------------------------------
# Tables


class StrictRequestConfig(RequestConfig):
    """django-tables2's request config, reading `page` and `per_page` with
    `parse_page`: an unreadable one is ignored, a page past the end shows
    the last page."""

    def configure(self, table: Table) -> Table:
        table.request = self.request  # type: ignore[attr-defined]  # django-tables2 is untyped: RequestConfig sets it, Table never declares it
        order_by = self.request.GET.getlist(table.prefixed_order_by_field)
        if order_by:
            table.order_by = order_by
        if not self.paginate:
            return table
        kwargs = dict(self.paginate) if hasattr(self.paginate, "items") else {}
        for arg, limit in (("page", MAX_PAGE), ("per_page", MAX_PER_PAGE)):
            value = parse_page(self.request.GET.get(getattr(table, f"prefixed_{arg}_field")), max=limit)
            if value is not None:
                kwargs[arg] = value
        kwargs.pop("silent", None)
        try:
            table.paginate(**kwargs)
        except (PageNotAnInteger, EmptyPage):
            table.page = table.paginator.page(table.paginator.num_pages)
        return table


class StrictTableMixin(SingleTableMixin):
    """`SingleTableMixin` with strict `page`/`per_page` parsing."""

    request: HttpRequest  # set by the view it is mixed into

    def get_table(self, **kwargs: Any) -> Table:
        kwargs.pop("request", None)  # a table given the request would configure itself from it, not strictly
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        return StrictRequestConfig(self.request, paginate=self.get_table_pagination(table)).configure(table)
