"""Coverage tables: the columns of a coverage table and its export.

The page's tables are computed cells, not querysets, so they are rendered
by the template (`network/_coverage_table.html`) from these columns; the
export writes the same columns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..services.coverage import Cell

SITE_SHIFT_EXPORT = ["location", "shift_pattern", "impacted", "champions", "impacted_per_champion", "needed", "shortfall",
                     "uncovered", "gap"]


def export_rows(cells: Iterable[Cell]) -> Iterator[list[Any]]:
    for c in cells:
        yield [c.key[0], c.key[1], c.impacted, c.champions, c.per_champion if c.per_champion is not None else "",
               c.needed, c.shortfall, c.uncovered, "yes" if c.gap else "no"]
