"""What a staff preview found or a commit did."""

from __future__ import annotations

from dataclasses import dataclass, field

from changeboard.core.tabular import (
    ImportRefusedBase,
    ImportReportBase,
    Problem,
)

from .columns import ColumnMap
from .rules import _Cleaned, _Plan, _units_to_create


class ImportRefused(ImportRefusedBase):
    """The commit was refused; `report` lists every problem found."""

    report: ImportReport


class LeaversNotConfirmed(ImportRefused):
    """A full import would mark many people as leavers and the caller did
    not confirm that count (nothing was written)."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report, f"This import would mark {report.would_leave} people as leavers. Confirm that number, "
                                 "or import in add and update only mode.")


# A full import asks for explicit confirmation before marking "many" people
# as leavers: more than 50 people, or more than 5% of the staff in post once
# that is 10 people or more (a handful of leavers is a month's ordinary churn).
LEAVERS_CONFIRM_COUNT = 50
LEAVERS_CONFIRM_SHARE = 0.05
LEAVERS_CONFIRM_MIN = 10


def leavers_need_confirmation(would_leave: int, in_post: int) -> bool:
    return would_leave > LEAVERS_CONFIRM_COUNT or (would_leave >= LEAVERS_CONFIRM_MIN and would_leave > in_post * LEAVERS_CONFIRM_SHARE)


@dataclass
class ImportReport(ImportReportBase):
    """What a preview found or a commit did. Counts of people to create,
    update, leave unchanged and mark as leavers cover the valid rows."""

    updated: int = 0
    unchanged: int = 0
    leavers: int = 0
    units_created: int = 0
    warnings: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    # Add and update only: nobody is marked as a leaver (`leavers` is 0).
    add_update_only: bool = False
    # People in post (not already leavers, leave date not passed) whom a
    # full import of this file would mark as leavers, and how many are in post.
    would_leave: int = 0
    in_post: int = 0

    @property
    def confirmation_needed(self) -> bool:
        """A full import marking many people as leavers needs the count confirmed."""
        return not self.add_update_only and leavers_need_confirmation(self.would_leave, self.in_post)

    @property
    def needs_mapping(self) -> bool:
        return bool(self.missing_columns)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.leavers

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "invalid": self.invalid,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "leavers": self.leavers,
            "units_created": self.units_created,
        }

    def summary(self) -> str:
        """One sentence of counts, safe for messages and logs."""
        if self.committed and not self.changed and not self.units_created:
            head = "No changes: every person in the file is already up to date"
        else:
            verb = "Imported" if self.committed else "Would import"
            head = (
                f"{verb} {self.valid} of {self.rows} rows: {self.created} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.leavers} marked as leavers"
            )
            if self.units_created:
                head += f", {self.units_created} new unit{'s' if self.units_created != 1 else ''}"
            if self.add_update_only:
                head += " (add and update only: nobody is marked as a leaver)"
        return head + self.skipped_note() + "."

def _problems_for_missing(columns: ColumnMap) -> list[Problem]:
    return [Problem(1, column, "", "Required column is missing from the header row") for column in columns.missing]


def _report(plan: _Plan | None, cleaned: _Cleaned, columns: ColumnMap, skip_invalid: bool, add_update_only: bool = False) -> ImportReport:
    report = ImportReport(
        add_update_only=add_update_only,
        rows=len(cleaned.lines),
        headers=list(cleaned.headers),
        mapping=columns.mapping,
        missing_columns=list(columns.missing),
        file_description=cleaned.description,
        skip_invalid=skip_invalid,
    )
    if columns.ignored:
        report.warnings.append("These columns are not used and will be ignored: " + ", ".join(columns.ignored) + ".")
    if columns.source == "saved":
        report.warnings.append("The columns were matched using the mapping saved the last time a file with these headers was imported.")
    if plan is None:
        report.problems = _problems_for_missing(columns)
        report.invalid = report.rows
        return report
    report.problems = plan.problems
    report.valid = plan.valid_rows
    report.invalid = report.rows - report.valid
    report.created = len(plan.create)
    report.updated = len(plan.update)
    report.unchanged = plan.unchanged
    report.leavers = len(plan.leavers)
    report.would_leave = plan.would_leave
    report.in_post = plan.in_post
    report.units_created = len(_units_to_create(plan))
    return report


