"""Characters XLSX and PDF cannot hold (issue 17).

XML 1.0, and so XLSX, has no place for the C0 control characters other
than tab, newline and carriage return, nor for lone surrogates; openpyxl
refuses a cell holding one, which would fail a board pack or an export.
So text is cleaned where it comes in and again where it goes out:

- in: forms (`core.forms.GovukFormMixin`), the API (`core.api.parsers`,
  the default parsers) and imports (`core.tabular`) clean text with
  `clean_text`. A NUL is not cleaned but refused (Django's and DRF's
  CharField refuse it; a CSV file holding one is not read).
- out: exports (`core.exports`) and board packs (`reports.packs`) strip
  whatever older stored text still holds, with `strip_illegal`.

Vertical tab and form feed (a line break pasted from a word processor)
become a space; the other characters are removed.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["ILLEGAL", "clean_text", "clean_tree", "strip_illegal"]

# C0 controls but tab, newline and carriage return; lone surrogates; and
# the two non-characters XML forbids.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same without NUL, which input refuses rather than cleans.
_ILLEGAL_BUT_NUL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_AS_SPACE = {"\x0b", "\x0c"}


def _replace(match: re.Match[str]) -> str:
    return " " if match.group() in _AS_SPACE else ""


def strip_illegal(value: Any) -> Any:
    """Text without the characters XLSX and PDF cannot hold (NUL too);
    anything else unchanged. For output."""
    if isinstance(value, str) and ILLEGAL.search(value):
        return ILLEGAL.sub(_replace, value)
    return value


def clean_text(value: Any) -> Any:
    """Text as input keeps it: the characters XLSX and PDF cannot hold
    cleaned, but a NUL left for the field to refuse."""
    if isinstance(value, str) and _ILLEGAL_BUT_NUL.search(value):
        return _ILLEGAL_BUT_NUL.sub(_replace, value)
    return value


def clean_tree(value: Any, clean: Any = strip_illegal) -> Any:
    """Every string in nested dicts, lists and tuples cleaned (dict keys too)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_tree(k, clean): clean_tree(v, clean) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_tree(v, clean) for v in value]
    if isinstance(value, tuple):
        return tuple(clean_tree(v, clean) for v in value)
    return value
