"""The API's request parsers (the REST_FRAMEWORK default): DRF's JSON,
form and multipart parsers, with every text value cleaned of the
characters XLSX and PDF cannot hold (`core.text.clean_text`), so no
serializer stores one. A NUL is left for DRF's CharField to refuse.

It lives outside `core.api` because DRF imports the parsers while
`core.api` (its routers, so its views) may still be loading."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from rest_framework import parsers

from .text import clean_text, clean_tree

__all__ = ["FormParser", "JSONParser", "MultiPartParser"]


def _clean_query_dict(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(clean_text(key), [clean_text(v) for v in values])
    cleaned._mutable = False
    return cleaned


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        return clean_tree(super().parse(stream, media_type, parser_context), clean_text)


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        return _clean_query_dict(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(_clean_query_dict(parsed.data), parsed.files)
