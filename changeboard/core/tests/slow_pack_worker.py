"""`manage.py run_worker` whose first board pack build stops half way (for
`test_task_workers`): rendering the PDF writes the work-horse's pid to
PAUSE_MARKER and sleeps, so the test knows when to kill it mid-build.
Later builds (the retry) run normally."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402  (after setup)

from changeboard.reports import packs  # noqa: E402

MARKER = Path(os.environ["PAUSE_MARKER"])
real_render_pdf = packs.render_pdf


def render_pdf_once_paused(html: str) -> bytes:
    if not MARKER.exists():
        MARKER.write_text(str(os.getpid()))
        time.sleep(600)
    return real_render_pdf(html)


packs.render_pdf = render_pdf_once_paused
call_command("run_worker", *sys.argv[1:])
