"""`manage.py import_staff PATH`: the HR staff import from the command line.

Same checks and same writes as the upload page (both call
`organisation.importing`). Exit status: 0 when imported (or, with
--dry-run, when the file would be imported); 1 with the problem report when
the file is refused or cannot be read; 2 for wrong arguments.

A full import marks people missing from the file as leavers. When that is
many people in post (more than 50, or more than 5% of the staff in post and
at least 10) it is refused unless --confirm-leavers is given;
--add-update-only adds and updates people and marks nobody as a leaver.

The problem report names rows, columns and reasons but never prints cell
values, because command output tends to end up in logs and the file holds
personal data. The upload page shows the values to the person who uploaded it.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from changeboard.organisation import importing


class Command(BaseCommand):
    help = ("Import the HR system's staff file (CSV or XLSX): upsert by staff number, mark people missing from the file as leavers "
            "(unless --add-update-only).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="The CSV or XLSX file exported by the HR system.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report what would change; write nothing.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid rows and skip rows with errors, instead of refusing the whole file."
        )
        parser.add_argument(
            "--map", action="append", default=[], metavar="COLUMN=HEADER",
            help="Read an import column from a differently named header, e.g. --map staff_number='Employee No'. Repeatable. "
            "Remembered for this header row after a successful import.",
        )
        parser.add_argument("--actor", metavar="USERNAME", help="The user the audit trail records (default: system).")
        leavers = parser.add_mutually_exclusive_group()
        leavers.add_argument("--add-update-only", action="store_true",
                             help="Add and update the people in the file; mark nobody as a leaver (for a partial file).")
        leavers.add_argument("--confirm-leavers", action="store_true",
                             help="Allow a full import to mark many people as leavers (more than 50, or more than 5%% of the staff in post); "
                             "without it such an import is refused.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        limit_mb = settings.IMPORT_MAX_UPLOAD_MB
        try:
            # The upload page's limit: the file is not read when larger.
            if path.stat().st_size > limit_mb * 1024 * 1024:
                raise CommandError(f"{path} is larger than {limit_mb} MB (IMPORT_MAX_UPLOAD_MB), the largest file an import reads.")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.")
        try:
            mapping = importing.parse_map_options(options["map"])
        except ValueError as exc:
            raise CommandError(str(exc))
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user called {options['actor']!r}.")

        try:
            report = importing.run_import(
                data, path.name, actor=actor, mapping=mapping or None, skip_invalid=options["skip_invalid"], dry_run=options["dry_run"],
                add_update_only=options["add_update_only"], confirm_leavers=importing.ANY_NUMBER if options["confirm_leavers"] else None,
            )
        except importing.ImportFileError as exc:
            raise CommandError(str(exc))
        except importing.LeaversNotConfirmed as exc:
            self._describe(exc.report)
            raise CommandError(
                f"Refused: this full import would mark {exc.report.would_leave} of the {exc.report.in_post} people in post as leavers. "
                "Run again with --confirm-leavers to mark them, or with --add-update-only to mark nobody as a leaver. Nothing was written."
            )
        except importing.ImportRefused as exc:
            self._describe(exc.report)
            self._problems(exc.report)
            raise CommandError(str(exc))

        self._describe(report)
        self._problems(report)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written. " + report.summary())
        else:
            self.stdout.write(self.style.SUCCESS(report.summary()))

    def _describe(self, report: importing.ImportReport) -> None:
        self.stdout.write(f"Read {report.rows} rows ({report.file_description}).")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))

    def _problems(self, report: importing.ImportReport) -> None:
        if not report.problems:
            return
        self.stderr.write(f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''} in {report.invalid} row{'s' if report.invalid != 1 else ''}:")
        for problem in report.problems:
            where = "header row" if problem.row == 1 else f"row {problem.row}"
            self.stderr.write(f"  {where}, {problem.column}: {problem.reason}")
