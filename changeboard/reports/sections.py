"""Sections that apps above `reports` add to a programme's dashboard and,
through the same partial, to its pages in the board pack (hypercare's
periods and exit decisions, for one). `reports` imports none of them: an
app registers a provider in its `AppConfig.ready()`, and the programme
summary asks every provider for its section as of the summary's date.

A provider returns `None` when it has nothing to say for the programme, so
a programme with no hypercare shows no empty heading."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from changeboard.portfolio.models import Programme


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str  # rendered with `section` (this object) in the context
    rows: list[dict[str, Any]] = field(default_factory=list)  # JSON-ready: also the pack's stored summary

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "template": self.template, "rows": self.rows}


Provider = Callable[[Programme, dt.date], Section | None]
_providers: list[Provider] = []


def register_programme_section(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def programme_sections(programme: Programme, as_of: dt.date) -> list[Section]:
    found = (provider(programme, as_of) for provider in _providers)
    return [section for section in found if section is not None]
