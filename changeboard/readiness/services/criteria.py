"""Writes for readiness criteria, their per-unit statuses and evidence, and
the evaluation of fed criteria (from survey scores or training completion).

Every function is keyword-only, runs in one transaction and writes its audit
row. Pages, the API, the training import and the lead's score rebuild all
call these, so the rules live here once:

- a score-fed criterion compares one ADKAR element's mean (the programme's
  latest closed wave with a figure for the unit) with a pass mark of 1-5; a
  hidden or missing figure is "not enough data", never a colour;
- a training-fed criterion compares the share of a unit's staff in post (at
  or below it) who completed a course with a percentage, amber within ten
  points below it; a unit with nobody in post, or with fewer than
  `TRAINING_MIN_STAFF` in post, is "not enough data": no colour and no
  counts (so no one's own training record is read out);
- a support-fed criterion ("Hypercare training gaps") compares, per unit
  going live, the open training-gap queries per 100 staff in the units
  already live (earlier waves, same roles) with a rate: green below it,
  amber up to one above it, red beyond; the figures come from the
  function the hypercare app registers (`readiness.feeds`);
- a manual criterion is set by hand, per unit, with a note.

Evaluation writes one audit row per criterion (a summary of the RAG counts),
never one per unit: a training import can re-evaluate hundreds of units.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath
from typing import Any, cast

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.files import delete_on_commit
from changeboard.organisation.models import Staff, Unit, subtree_q
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.surveys.models import Adkar

from .. import feeds
from ..models import Criterion, CriterionStatus, Evidence, Rag

logger = logging.getLogger(__name__)

Feed = Criterion.Feed

SCORE_RANGE = (Decimal(1), Decimal(5))
TRAINING_RANGE = (Decimal(0), Decimal(100))
SUPPORT_RANGE = (Decimal(0), Decimal(100))  # open training-gap queries per 100 staff
AMBER_BAND = Decimal(10)  # training: within this many points below the pass mark is amber
# Training: a unit with fewer current staff than this is "not enough data"
# and shows no colour, counts, percentage or completion date ("Fewer than 5
# staff"), so that neither a status like "0% (0 of 1)" nor a red reads out
# one person's training record to everyone who can see the criterion.
TRAINING_MIN_STAFF = 5
TRAINING_FEW_STAFF = f"Fewer than {TRAINING_MIN_STAFF} staff"

CRITERION_FIELDS = ("rollout_wave", "category", "title", "description", "criticality", "owner", "measure", "pass_mark",
                    "due_date", "feed", "element", "threshold", "course")
# What a person may record by hand: "not enough data" is what a feed says when it has no figure.
MANUAL_RAGS = (Rag.GREEN, Rag.AMBER, Rag.RED, Rag.NOT_ASSESSED)
FED_REFUSED = "This criterion is fed from {feed}: its statuses are worked out, not set by hand."


def normalise_course(code: str) -> str:
    """Course codes are matched ignoring case and surrounding spaces (the
    training system's export and the person typing the criterion rarely
    agree on case)."""
    return " ".join(code.split()).upper()


# ---------------------------------------------------------------- criteria


def _clean_criterion(programme: Programme, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as they will be stored, or a ValidationError naming each
    field at fault. Fields a feed does not use are cleared, so a criterion
    switched from one feed to another keeps no stale settings."""
    errors: dict[str, list[str]] = defaultdict(list)
    data: dict[str, Any] = {name: fields.get(name) for name in CRITERION_FIELDS}
    data["title"] = (data["title"] or "").strip()
    if not data["title"]:
        errors["title"].append("Enter the criterion")
    for name in ("description", "measure", "pass_mark", "element", "course"):
        data[name] = (data[name] or "").strip()
    data["category"] = data["category"] or Criterion.Category.PEOPLE
    data["criticality"] = data["criticality"] or Criterion._meta.get_field("criticality").default
    data["feed"] = data["feed"] or Feed.MANUAL
    if data["feed"] not in Feed.values:
        errors["feed"].append("Choose how the criterion is assessed")
    wave = data["rollout_wave"]
    if wave is not None and getattr(wave, "programme_id", None) != programme.pk:
        errors["rollout_wave"].append("Choose one of this programme's rollout waves")
    threshold = data["threshold"]
    if threshold is not None and not isinstance(threshold, Decimal):
        try:
            threshold = Decimal(str(threshold))
        except ArithmeticError:
            errors["threshold"].append("Enter the pass mark as a number")
            threshold = None
    if threshold is not None and not threshold.is_finite():
        errors["threshold"].append("Enter the pass mark as a number")
        threshold = None
    data["threshold"] = threshold

    feed = data["feed"]
    if feed == Feed.SCORE:
        if data["element"] not in Adkar.values:
            errors["element"].append("Choose the ADKAR element whose mean is compared with the pass mark")
        if threshold is None or not SCORE_RANGE[0] <= threshold <= SCORE_RANGE[1]:
            errors["threshold"].append("Enter a pass mark between 1 and 5 (the lowest passing mean)")
        data["course"] = ""
    elif feed == Feed.TRAINING:
        data["course"] = normalise_course(data["course"])
        if not data["course"]:
            errors["course"].append("Enter the course code, as it appears in the training file")
        if threshold is None or not TRAINING_RANGE[0] <= threshold <= TRAINING_RANGE[1]:
            errors["threshold"].append("Enter a pass mark between 0 and 100 (the lowest passing percentage)")
        data["element"] = ""
    elif feed == Feed.SUPPORT:
        if threshold is None or not SUPPORT_RANGE[0] < threshold <= SUPPORT_RANGE[1]:
            errors["threshold"].append("Enter the open training-gap queries per 100 staff at which it stops being green, "
                                       "more than 0 and at most 100")
        data["element"], data["course"] = "", ""
    else:
        data["element"], data["course"], data["threshold"] = "", "", None
    if errors:
        raise ValidationError(dict(errors))
    if threshold is not None and feed != Feed.MANUAL:
        data["threshold"] = threshold.quantize(Decimal("0.01"))
        data["pass_mark"] = _pass_mark(feed, data["element"], data["threshold"], data["course"])
    return data


def _pass_mark(feed: str, element: str, threshold: Decimal, course: str) -> str:
    """What passes, in words, for a fed criterion (so lists need not know feeds)."""
    if feed == Feed.SCORE:
        return f"{dict(Adkar.choices)[element]} mean at least {threshold.normalize():f}"
    if feed == Feed.SUPPORT:
        return f"Fewer than {threshold.normalize():f} open training gaps per 100 staff live"
    return f"At least {threshold.normalize():f}% completed {course}"


@transaction.atomic
def criterion_save(*, programme: Programme, actor: User | None, criterion: Criterion | None = None, **fields: Any) -> Criterion:
    """Create (no `criterion`) or edit a criterion, then evaluate it so its
    units' statuses exist at once. Switching a fed criterion to manual sets
    its statuses back to "not assessed": a feed's colours are not a
    person's judgement."""
    unknown = set(fields) - set(CRITERION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown criterion fields: {sorted(unknown)}")
    if criterion is not None and criterion.programme_id != programme.pk:
        raise ValidationError("The criterion belongs to another programme.")
    data = _clean_criterion(programme, fields)
    if criterion is None:
        criterion = Criterion.objects.create(programme=programme, **data)
        audit.record(actor=actor, action="create", obj=criterion, after=audit.snapshot(criterion))
    else:
        before = audit.snapshot(criterion)
        was_fed = criterion.feed != Feed.MANUAL
        for name, value in data.items():
            setattr(criterion, name, value)
        criterion.save()
        audit.record(actor=actor, action="update", obj=criterion, before=before, after=audit.snapshot(criterion))
        if was_fed and criterion.feed == Feed.MANUAL:
            criterion.statuses.update(rag=Rag.NOT_ASSESSED, value="", as_of=None, updated_at=timezone.now())
    criterion_evaluate(criterion=criterion, actor=actor)
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor: User | None) -> None:
    """Delete a criterion with its statuses and evidence (and the evidence
    files, after the commit). The audit row keeps what was deleted."""
    before = audit.snapshot(criterion) or {}
    files = list(criterion.evidence.exclude(file="").values_list("file", flat=True))
    before["evidence"] = criterion.evidence.count()
    audit.record(actor=actor, action="delete", obj=criterion, before=before)
    criterion.delete()
    delete_on_commit(files, what="an evidence file")


# ---------------------------------------------------------------- manual statuses


@transaction.atomic
def status_set(*, status: CriterionStatus, rag: str, note: str = "", actor: User | None, as_of: dt.date | None = None) -> CriterionStatus:
    """Record a unit's RAG for a manual criterion, dated today unless given.
    Fed criteria refuse: their next evaluation would overwrite it."""
    criterion = status.criterion
    if criterion.feed != Feed.MANUAL:
        raise ValidationError(FED_REFUSED.format(feed=criterion.get_feed_display().lower()))
    if rag not in MANUAL_RAGS:
        raise ValidationError({"rag": ["Choose green, amber, red or not assessed"]})
    before = audit.snapshot(status)
    status.rag = rag
    status.note = (note or "").strip()
    status.as_of = as_of or timezone.localdate()
    status.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    status.save()
    audit.record(actor=actor, action="update", obj=status, before=before, after=audit.snapshot(status))
    return status


# ---------------------------------------------------------------- evidence


@dataclass(frozen=True)
class FileKind:
    label: str
    mime: str
    detected: str | None  # filetype's extension for the content; None for text checked by decoding


FILE_KINDS: dict[str, FileKind] = {
    ".pdf": FileKind("PDF", "application/pdf", "pdf"),
    ".docx": FileKind("Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ".xlsx": FileKind("Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ".pptx": FileKind("PowerPoint (PPTX)", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    ".csv": FileKind("CSV", "text/csv", None),
    ".txt": FileKind("text", "text/plain", None),
    ".png": FileKind("PNG image", "image/png", "png"),
    ".jpg": FileKind("JPEG image", "image/jpeg", "jpg"),
    ".jpeg": FileKind("JPEG image", "image/jpeg", "jpg"),
}
ALLOWED_TYPES_TEXT = "PDF, DOCX, XLSX, PPTX, CSV, TXT, PNG or JPEG"
ACCEPT_ATTRIBUTE = ",".join(FILE_KINDS)


def evidence_max_bytes() -> int:
    return int(settings.EVIDENCE_MAX_MB) * 1024 * 1024


def check_evidence_file(name: str, data: bytes) -> FileKind:
    """The kind of an uploaded file, judged by its extension and by its
    content, or a ValidationError on `file` saying what is wrong. The
    content decides, not the name or the browser's content type: a renamed
    executable or an HTML page called .pdf is refused."""
    limit_mb = int(settings.EVIDENCE_MAX_MB)
    if not data:
        raise ValidationError({"file": ["The selected file is empty"]})
    if len(data) > evidence_max_bytes():
        raise ValidationError({"file": [f"The selected file must be smaller than {limit_mb} MB"]})
    kind = FILE_KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise ValidationError({"file": [f"The selected file must be a {ALLOWED_TYPES_TEXT} file"]})
    if kind.detected is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"file": [f"The selected file is not a {kind.label} file: it must be text in UTF-8"]}) from None
        if b"\x00" in data:
            raise ValidationError({"file": [f"The selected file is not a {kind.label} file: it holds binary data"]})
        return kind
    found = filetype.guess(data)
    if found is None or found.extension != kind.detected:
        raise ValidationError({"file": [f"The selected file is not a {kind.label} file: its content does not match its name"]})
    return kind


def _evidence_snapshot(evidence: Evidence) -> dict[str, Any]:
    """The audit snapshot, with the stored file as its (random) name."""
    data = audit.snapshot(evidence, exclude=("password", "file")) or {}
    data["file"] = evidence.file.name or ""
    return data


def _safe_file_name(name: str) -> str:
    """The original file name without any folder part (browsers on Windows
    can send one), kept only in the database and in the download header."""
    base = PurePath(name.replace("\\", "/")).name.strip() or "evidence"
    return base[-200:]


@transaction.atomic
def evidence_add(*, criterion: Criterion, title: str, actor: User | None, url: str = "", file: Any = None,
                 unit: Unit | None = None) -> Evidence:
    """Attach a link or a file (not both) to a criterion, optionally for one
    of its units. Files are checked by size, extension and content, stored
    under a random name and served only through the scoped download."""
    errors: dict[str, list[str]] = defaultdict(list)
    title = (title or "").strip()
    url = (url or "").strip()
    if not title:
        errors["title"].append("Enter a title for the evidence")
    if url and file is not None:
        errors["url"].append("Give a link or a file, not both")
    elif not url and file is None:
        errors["url"].append("Give a link to the evidence, or upload a file")
    if url and file is None:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"].append("Enter a link starting with http:// or https://")
        if len(url) > cast(int, Evidence._meta.get_field("url").max_length):
            errors["url"].append("The link must be at most 500 characters")
    if unit is not None and not criterion_units(criterion).filter(pk=unit.pk).exists():
        errors["unit"].append("Choose one of the units this criterion assesses")
    if errors:
        raise ValidationError(dict(errors))
    evidence = Evidence(criterion=criterion, unit=unit, title=title[:200], url="" if file is not None else url,
                        added_by=actor if getattr(actor, "is_authenticated", False) else None)
    if file is not None:
        name = getattr(file, "name", "") or ""
        if (getattr(file, "size", 0) or 0) > evidence_max_bytes():
            # Refused before reading it into memory.
            raise ValidationError({"file": [f"The selected file must be smaller than {int(settings.EVIDENCE_MAX_MB)} MB"]})
        data = file.read() if hasattr(file, "read") else bytes(file)
        kind = check_evidence_file(name, data)
        evidence.file_name = _safe_file_name(name)
        evidence.content_type = kind.mime
        evidence.size = len(data)
        evidence.file.save("upload", ContentFile(data), save=False)
    try:
        evidence.save()
        audit.record(actor=actor, action="create", obj=evidence, after=_evidence_snapshot(evidence))
    except Exception:
        # The row failed after the file was written: do not leave it behind.
        if evidence.file:
            evidence.file.storage.delete(cast(str, evidence.file.name))
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, actor: User | None) -> None:
    """Delete a piece of evidence; its file goes once the delete commits."""
    before = _evidence_snapshot(evidence)
    name = cast(str, evidence.file.name) if evidence.file else ""
    audit.record(actor=actor, action="delete", obj=evidence, before=before)
    evidence.delete()
    delete_on_commit([name], what="an evidence file")


# ---------------------------------------------------------------- evaluation


def criterion_units(criterion: Criterion) -> QuerySet[Unit]:
    """The units a criterion assesses: its rollout wave's, or every unit of
    the programme's rollout waves. Each unit stands for itself and
    everything below it (as a wave's units go live)."""
    if criterion.rollout_wave_id is not None:
        return Unit.objects.filter(rollout_waves=criterion.rollout_wave_id).order_by("path")
    waves = RolloutWave.objects.filter(programme_id=criterion.programme_id)
    return Unit.objects.filter(rollout_waves__in=waves).distinct().order_by("path")


# unit pk -> (rag, value, as_of)
Results = dict[int, tuple[str, str, dt.date | None]]


def _score_results(criterion: Criterion, units: list[Unit]) -> Results:
    """Green when the element's mean (to 2 dp, as shown) reaches the pass
    mark, red below it; a hidden figure or no figure is not enough data."""
    from .. import scores

    latest = scores.latest_unit_scores(criterion.programme, units)
    threshold = criterion.threshold if criterion.threshold is not None else SCORE_RANGE[1]
    results: Results = {}
    for unit in units:
        score = latest.get(unit.pk)
        as_of = score.wave.closes_on if score is not None else None
        mean = score.mean(criterion.element) if score is not None and score.shown else None
        if mean is None:
            results[unit.pk] = (Rag.NO_DATA, "", as_of)
            continue
        # The shown figure decides, so the value and its colour never disagree.
        shown = Decimal(str(mean)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        results[unit.pk] = (Rag.GREEN if shown >= threshold else Rag.RED, f"{shown}", as_of)
    return results


def _top_paths(paths: Iterable[str]) -> list[str]:
    """The paths not below another of them: one subtree filter per top."""
    tops: list[str] = []
    for path in sorted(paths):
        if not tops or not path.startswith(tops[-1]):
            tops.append(path)
    return tops


def _roll_up(by_path: dict[str, int], rows: Iterable[tuple[str, int, dt.date | None]]) -> dict[int, tuple[int, dt.date | None]]:
    """Add each team's count (and latest date) to every requested unit at
    or above it, by materialised path prefix."""
    totals: dict[int, list[Any]] = {}
    for path, count, latest in rows:
        for end in range(Unit.steplen, len(path) + 1, Unit.steplen):
            pk = by_path.get(path[:end])
            if pk is None:
                continue
            entry = totals.setdefault(pk, [0, None])
            entry[0] += count
            if latest is not None and (entry[1] is None or latest > entry[1]):
                entry[1] = latest
    return {pk: (n, d) for pk, (n, d) in totals.items()}


def training_counts(course: str, units: list[Unit]) -> dict[int, tuple[int, int, dt.date | None]]:
    """Per unit: staff in post at or below it, how many of them completed
    the course, and the latest completion counted. Two grouped queries by
    team, whatever the number of staff."""
    by_path = {u.path: u.pk for u in units}
    if not by_path:
        return {}
    staff = Staff.objects.current().filter(subtree_q(_top_paths(by_path), "unit__path"))
    everyone = staff.values("unit__path").annotate(n=Count("pk")).values_list("unit__path", "n").order_by()
    trained = (staff.filter(training__course=normalise_course(course)).values("unit__path")
               .annotate(n=Count("pk"), latest=Max("training__completed_on")).values_list("unit__path", "n", "latest").order_by())
    headcount = _roll_up(by_path, ((p, n, None) for p, n in everyone))
    done = _roll_up(by_path, trained)
    return {pk: (headcount.get(pk, (0, None))[0], *done.get(pk, (0, None))) for pk in by_path.values()}


def _training_results(criterion: Criterion, units: list[Unit], today: dt.date) -> Results:
    """Green at or above the pass mark, amber within ten points below it,
    red further below; nobody in post is not enough data. The percentage
    shown is rounded down, so it never claims more than was done.

    Small units: with fewer than `TRAINING_MIN_STAFF` current staff the
    RAG is "not enough data", the value "Fewer than 5 staff" and the date
    today's: never a colour, the counts, the percentage or the latest
    completion date, any of which would identify individuals' training
    records (a unit of one person is green or red exactly when that person
    is trained or not). The same threshold as the hidden counts; a go
    decision sees such a unit as not enough data, as it does a hidden
    survey figure."""
    threshold = criterion.threshold if criterion.threshold is not None else TRAINING_RANGE[1]
    results: Results = {}
    for pk, (total, done, latest) in training_counts(criterion.course, units).items():
        if not total:
            results[pk] = (Rag.NO_DATA, "No staff in post", today)
            continue
        if total < TRAINING_MIN_STAFF:
            results[pk] = (Rag.NO_DATA, TRAINING_FEW_STAFF, today)
            continue
        share = Decimal(done * 100) / Decimal(total)
        rag = Rag.GREEN if share >= threshold else Rag.AMBER if share >= threshold - AMBER_BAND else Rag.RED
        results[pk] = (rag, f"{int(share)}% ({done} of {total})", latest or today)
    return results


@transaction.atomic
def criterion_evaluate(*, criterion: Criterion, actor: User | None = None) -> dict[str, int]:
    """Make sure the criterion has one status per unit it assesses (removing
    units no longer in scope) and, for a fed criterion, work out each
    unit's RAG, value and date. Returns the count of units per RAG, which is
    also the audit row's summary."""
    units = list(criterion_units(criterion))
    wanted = {u.pk for u in units}
    removed, _ = criterion.statuses.exclude(unit_id__in=wanted).delete()
    have = set(criterion.statuses.values_list("unit_id", flat=True))
    CriterionStatus.objects.bulk_create(
        [CriterionStatus(criterion=criterion, unit_id=pk) for pk in sorted(wanted - have)], ignore_conflicts=True
    )
    now = timezone.now()
    if criterion.feed == Feed.SCORE:
        results = _score_results(criterion, units)
    elif criterion.feed == Feed.TRAINING:
        results = _training_results(criterion, units, timezone.localdate())
    elif criterion.feed == Feed.SUPPORT:
        results = feeds.support_results(criterion, units, timezone.localdate())
    else:
        results = {}
    statuses = list(criterion.statuses.all())
    if results:
        system = actor if getattr(actor, "is_authenticated", False) else None
        for status in statuses:
            status.rag, status.value, status.as_of = results[status.unit_id]
            status.note, status.updated_at, status.updated_by = "", now, system
        CriterionStatus.objects.bulk_update(statuses, ["rag", "value", "as_of", "note", "updated_at", "updated_by"], batch_size=1000)
    counts = Counter(s.rag for s in statuses)
    summary = {rag: counts.get(rag, 0) for rag in Rag.values}
    criterion.evaluated_at = now
    criterion.save(update_fields=["evaluated_at"])
    audit.record(actor=actor, action="update", obj=criterion,
                 after={"evaluated": summary, "units": len(statuses), "added": len(wanted - have), "removed": removed,
                        "feed": criterion.feed})
    return summary


def criteria_evaluate_programme(programme: Programme, actor: User | None = None) -> int:
    """Evaluate every criterion of a programme (after its rollout waves change)."""
    count = 0
    for criterion in Criterion.objects.filter(programme=programme).select_related("programme"):
        criterion_evaluate(criterion=criterion, actor=actor)
        count += 1
    return count


def criteria_evaluate_fed(feed: str | None = None, actor: User | None = None) -> int:
    """Evaluate every fed criterion, or those of one feed: after a training
    import (`training`) and after the scores are rebuilt (`score`)."""
    criteria = Criterion.objects.exclude(feed=Feed.MANUAL).select_related("programme")
    if feed is not None:
        criteria = criteria.filter(feed=feed)
    count = 0
    for criterion in criteria:
        criterion_evaluate(criterion=criterion, actor=actor)
        count += 1
    return count
