"""Database helpers shared by the bulk writers (imports, seeds)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def sqlite_page_cache(kib: int) -> Iterator[None]:
    """On SQLite, a bigger page cache (up to `kib` KiB, used only as needed)
    for the length of a bulk write: with the default 2 MB, index pages are
    evicted and re-read as rows go in. The connection's own setting is put
    back afterwards. Elsewhere, nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")
