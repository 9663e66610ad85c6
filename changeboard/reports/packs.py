"""Board packs: requesting, generating, notifying and the monthly schedule.

A pack freezes what the Programme Board sees for an as-of date. The figures
come from `summary` - the very functions the dashboards render - and are
rendered through the dashboards' own partials, so a pack and the pages never
disagree. Generation runs in the worker (`build_pack`): the figures are
gathered and stored as plain JSON, then rendered once to HTML, PDF and XLSX.
The PDF and the XLSX are files in the shared storage (`default_storage`: the
file system or S3), written before the row is marked ready and removed again
if it is not, so any web process on any machine serves them.

A ready pack is a record of what the Board was shown, so it never changes:
the services refuse, and a `pre_save` guard refuses any save of a row that is
already ready (bulk `update()` is never used on packs).

The figures' dates: readiness scores carry the closing date of the survey
wave behind them, hotspots their ISO week, overdue actions their due date
against the as-of date. Criteria and actions are recorded state (the
readiness app keeps no history of them), read when the pack is generated;
the pack says so.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.tasks import TaskContext, task
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from changeboard.accounts.models import Role, User
from changeboard.core import audit
from changeboard.core.exports import guard
from changeboard.core.models import OutboxMessage
from changeboard.core.outbox import outbox_add_many
from changeboard.core.tasks import enqueue, is_rerun
from changeboard.core.text import clean_tree
from changeboard.readiness.models import Action, Rag

from . import summary
from .models import PACK_FOLDER, BoardPack

log = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO; the worker's log wants the
# pack's outcome, not one line per page.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

Status = BoardPack.Status
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
# A scheduler that was down on the first of the month still requests that
# month's pack when it comes back within this many days.
SCHEDULE_CATCH_UP_DAYS = 7
# A scheduled pack that failed is asked for again, after a pause (so a fault
# that fails every build does not fill the list with a pack a minute), and at
# most this many times for one as-of date; the Board can still ask by hand.
SCHEDULE_RETRY_AFTER = dt.timedelta(minutes=30)
SCHEDULE_ATTEMPTS = 3
# A pack still being generated this long after the worker began it is taken
# to have died with the worker (or hung) and is marked failed.
BUILD_TIMEOUT = dt.timedelta(minutes=30)
QUEUE_DOWN_ERROR = "The background task queue was unavailable, so the pack was not generated. Request it again."
STUCK_ERROR = "Generation did not finish within 30 minutes (the worker stopped or hung). Request the pack again."
# Packs cover dates the service has data for: from 2000 to today.
EARLIEST_AS_OF = dt.date(2000, 1, 1)
# Keys whose values are dates (or datetimes) in a pack's stored content: read
# back as dates for rendering, so templates format them like the pages do.
DATE_KEYS = frozenset({"as_of", "go_live", "due_date", "next_go_live", "closes_on", "scheduled_on", "week",
                       "data_from", "data_to"})
DATETIME_KEYS = frozenset({"generated_at"})
RAG_LABELS = dict(Rag.choices)
ERROR_MAX = 500


class PackImmutable(ValidationError):
    """Raised when something tries to change a ready pack."""


def long_date(day: dt.date) -> str:
    """'30 November 2026', without the platform-specific `%-d`."""
    return f"{day.day} {day:%B %Y}"


def pack_title(as_of: dt.date) -> str:
    return f"Board pack, as of {long_date(as_of)}"


def as_of_error(as_of: dt.date) -> str | None:
    """Why `as_of` cannot be a pack's date (the form, the API and the service
    share it), or None."""
    if as_of > timezone.localdate():
        return "The as-of date must be today or in the past"
    if as_of < EARLIEST_AS_OF:
        return f"The as-of date must be on or after {long_date(EARLIEST_AS_OF)}"
    return None


def pack_url(pack: BoardPack) -> str:
    return settings.SITE_URL + reverse("pack-detail", args=[pack.pk])


# ---------------------------------------------------------------- immutability


@receiver(pre_save, sender=BoardPack, dispatch_uid="reports-pack-immutable")
def _refuse_saving_a_ready_pack(sender: type[BoardPack], instance: BoardPack, raw: bool = False, **kwargs: Any) -> None:
    """The last save of a pack is the one that makes it ready; anything after
    that would rewrite what the Board was shown."""
    if raw or instance.pk is None:
        return
    if BoardPack.objects.filter(pk=instance.pk, status=Status.READY).exists():
        raise PackImmutable("A ready board pack cannot be changed.")


def _snapshot(pack: BoardPack) -> dict[str, Any]:
    """The audit's view of a pack: its state, never its figures or files."""
    return {"as_of": pack.as_of.isoformat(), "title": pack.title, "status": pack.status, "scheduled": pack.scheduled,
            "previous": pack.previous_id, "seconds": pack.seconds, "error": pack.error}


# ---------------------------------------------------------------- requesting


@transaction.atomic
def pack_request(*, as_of: dt.date, actor: User | None, scheduled: bool = False, notify: bool = True) -> BoardPack:
    """Queue a pack for `as_of` (2000 to today: a pack shows data that
    exists) and ask the worker to generate it once this commits. With
    `notify=False` (the bench) the Board is not emailed when it is ready."""
    if error := as_of_error(as_of):
        raise ValidationError({"as_of": error})
    requested_by = actor if getattr(actor, "is_authenticated", False) else None
    pack = BoardPack.objects.create(as_of=as_of, title=pack_title(as_of), scheduled=scheduled, requested_by=requested_by)
    audit.record(actor=actor, action="create", obj=pack, after=_snapshot(pack))

    def queue() -> None:
        # With the broker down nothing would ever build it: it fails at once, saying why, so it can be asked for again.
        if enqueue(build_pack, pack.pk, notify=notify) is None:
            _fail(pack, QUEUE_DOWN_ERROR, 0)

    transaction.on_commit(queue)
    return pack


def packs_due(today: dt.date) -> BoardPack | None:
    """The monthly schedule: request the month's pack (as of its first day).
    Called by the scheduler every minute, so it must be cheap and idempotent:
    a live scheduled pack for that date (queued, building or ready) means
    done; a failed one is asked for again (see SCHEDULE_RETRY_AFTER). The
    database keeps one live scheduled pack per date, so two schedulers racing
    make one pack. Each pass also fails packs stuck in generation and
    removes files no pack names (`sweep_orphan_files`)."""
    fail_stuck_packs()
    sweep_orphan_files()
    first = today.replace(day=1)
    if (today - first).days >= SCHEDULE_CATCH_UP_DAYS:
        return None
    try:
        with transaction.atomic():
            if not _schedule_wants(first):
                return None
            return pack_request(as_of=first, actor=None, scheduled=True)
    except IntegrityError:
        # Another scheduler requested it between our check and our insert.
        log.info("Scheduled board pack as of %s already requested", first)
        return None


def _schedule_wants(as_of: dt.date) -> bool:
    """Whether the schedule should request a pack for `as_of` now."""
    tried = BoardPack.objects.filter(scheduled=True, as_of=as_of)
    if tried.exclude(status=Status.FAILED).exists():
        return False
    failed = list(tried.order_by("-requested_at").values_list("requested_at", flat=True)[:SCHEDULE_ATTEMPTS])
    if len(failed) >= SCHEDULE_ATTEMPTS:
        return False
    return not failed or failed[0] <= timezone.now() - SCHEDULE_RETRY_AFTER


# ---------------------------------------------------------------- gathering


def to_plain(data: Any) -> Any:
    """Plain JSON (dates as ISO strings), as stored in `content`."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def revive(data: Any, key: str = "") -> Any:
    """Stored content with its dates as dates again (by key name), so the
    templates format them as the live pages do."""
    if isinstance(data, dict):
        return {k: revive(v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [revive(v, key) for v in data]
    if isinstance(data, str) and data:
        try:
            if key in DATETIME_KEYS:
                return dt.datetime.fromisoformat(data)
            if key in DATE_KEYS or key == "hotspot_weeks":
                return dt.date.fromisoformat(data[:10])
        except ValueError:
            return data
    return data


def overdue_count(portfolio: dict[str, Any]) -> int:
    """How many actions were overdue: the uncapped count where the summary
    gives one (packs stored before it did list at most 50 and count those)."""
    return portfolio.get("overdue_count", len(portfolio["overdue"]))


def exceptions_of(portfolio: dict[str, Any]) -> dict[str, Any]:
    """The exception counts the pack opens with (from the portfolio summary)."""
    return {
        "saturated_units": portfolio["saturated_units"],
        "hotspots": len(portfolio["hotspots"]),
        "not_ready": len(portfolio["not_ready"]),
        "critical_reds": sum(len(c["criteria"]) for c in portfolio["critical"]),
        "barriers": len(portfolio["barriers"]),
        "overdue_actions": overdue_count(portfolio),
    }


EXCEPTION_LABELS = {
    "saturated_units": "Units saturated by change load",
    "not_ready": "Units not ready for their wave",
    "critical_reds": "Critical criteria at red",
    "barriers": "ADKAR barrier points",
    "overdue_actions": "Overdue actions",
}


def gather(as_of: dt.date, generated_at: dt.datetime) -> dict[str, Any]:
    """Everything the pack shows, from the dashboards' summaries for the
    whole portfolio (no user: the Board sees every programme)."""
    portfolio = summary.portfolio(None, as_of)
    programmes = [summary.programme(line.programme, None, as_of).as_dict() for line in portfolio.lines]
    p = portfolio.as_dict()
    return to_plain({"as_of": as_of, "generated_at": generated_at, "portfolio": p, "programmes": programmes,
                     "exceptions": exceptions_of(p)})


def overdue_actions(content: dict[str, Any]) -> list[dict[str, Any]]:
    """Every overdue action the pack lists (the portfolio's and each
    programme's lists together, once each), oldest due date first."""
    found: dict[int, dict[str, Any]] = {}
    for row in [*content["portfolio"]["overdue"], *(a for s in content["programmes"] for a in s["overdue"])]:
        found.setdefault(row["id"], row)
    return sorted(found.values(), key=lambda a: (a["due_date"], a["id"]))


# ---------------------------------------------------------------- what changed


def previous_pack(pack: BoardPack) -> BoardPack | None:
    """The latest ready pack with an earlier as-of date: the last board."""
    return (BoardPack.objects.filter(status=Status.READY, as_of__lt=pack.as_of).exclude(pk=pack.pk)
            .order_by("-as_of", "-generated_at", "-pk").first())


def _score_line(line: dict[str, Any]) -> tuple[str, float | None]:
    score = line["score"]
    return score["rag"], score["index"] if score["shown"] else None


def _not_ready_key(row: dict[str, Any]) -> tuple[str, str, int]:
    return row["programme"], row["rollout_wave"], row["unit_id"]


def _real_exception(row: dict[str, Any]) -> bool:
    """A not-ready row that is a real exception: a shown figure or a critical red."""
    return bool(row.get("reds") or (row.get("score") or {}).get("shown", True))


def _reds(portfolio: dict[str, Any]) -> dict[tuple[str, int, str], dict[str, Any]]:
    return {(c["programme"], c["unit_id"], title): {"programme": c["programme"], "unit": c["unit"], "criterion": title}
            for c in portfolio["critical"] for title in c["criteria"]}


def compare(before: dict[str, Any] | None, after: dict[str, Any], action_states: dict[int, str] | None = None,
            previous: BoardPack | None = None) -> dict[str, Any]:
    """What changed between the previous pack's content and this one's.

    `action_states` holds the current status label of each action the
    previous pack listed as overdue, so one missing now can be told apart:
    closed (done or cancelled) or merely no longer overdue."""
    if before is None:
        return {"previous": None}
    was, now = before["portfolio"], after["portfolio"]
    old_lines = {line["programme"]: line for line in was["programmes"]}
    programmes = []
    for line in now["programmes"]:
        old = old_lines.get(line["programme"])
        if old is None:
            continue
        (rag_from, index_from), (rag_to, index_to) = _score_line(old), _score_line(line)
        if rag_from != rag_to or index_from != index_to:
            programmes.append({"programme": line["programme"], "name": line["name"], "rag_from": rag_from, "rag_to": rag_to,
                               "rag_from_label": RAG_LABELS.get(rag_from, rag_from), "rag_to_label": RAG_LABELS.get(rag_to, rag_to),
                               "index_from": index_from, "index_to": index_to,
                               "data_from": old["score"]["as_of"], "data_to": line["score"]["as_of"]})
    # Packs stored before "not enough data" became its own category listed
    # those units as not ready: they are not compared as exceptions.
    old_nr = {_not_ready_key(r): r for r in was["not_ready"] if _real_exception(r)}
    new_nr = {_not_ready_key(r): r for r in now["not_ready"]}

    def unit_row(r: dict[str, Any]) -> dict[str, Any]:
        return {"programme": r["programme"], "unit": r["unit"], "rollout_wave": r["rollout_wave"], "go_live": r["go_live"],
                "reasons": r["reasons"]}

    old_reds, new_reds = _reds(was), _reds(now)
    old_overdue = {a["id"]: a for a in overdue_actions(before)}
    new_overdue = {a["id"]: a for a in overdue_actions(after)}
    # The lists are capped (the longest overdue first): when the previous one
    # was, an action missing from it may still have been overdue then, so it
    # is new only if it fell due on or after the previous as-of date.
    old_capped = overdue_count(was) > len(was["overdue"])
    since = str(before["as_of"])[:10]
    states = action_states or {}
    closed_statuses = {Action.Status.DONE.label, Action.Status.CANCELLED.label}
    old_hot = {h["unit_id"] for h in was["hotspots"]}
    new_hot: dict[int, dict[str, Any]] = {}
    for h in now["hotspots"]:
        if h["unit_id"] not in old_hot:
            new_hot.setdefault(h["unit_id"], h)  # the list is largest load first
    counts = [{"label": label, "from": before["exceptions"][key], "to": after["exceptions"][key]}
              for key, label in EXCEPTION_LABELS.items()]
    return {
        "previous": {"id": previous.pk, "title": previous.title, "as_of": previous.as_of} if previous else
        {"id": None, "title": "", "as_of": before["as_of"]},
        "counts": counts,
        "programmes": programmes,
        "not_ready_new": [unit_row(r) for k, r in new_nr.items() if k not in old_nr],
        "not_ready_cleared": [unit_row(r) for k, r in old_nr.items() if k not in new_nr],
        "critical_opened": [r for k, r in new_reds.items() if k not in old_reds],
        "critical_closed": [r for k, r in old_reds.items() if k not in new_reds],
        "overdue_new": [a for pk, a in new_overdue.items()
                        if pk not in old_overdue and (not old_capped or str(a["due_date"])[:10] >= since)],
        "actions_closed": [{**a, "status": states[pk]} for pk, a in old_overdue.items()
                           if pk not in new_overdue and states.get(pk) in closed_statuses],
        "hotspots_new": list(new_hot.values()),
    }


def changes_for(pack: BoardPack, content: dict[str, Any]) -> tuple[BoardPack | None, dict[str, Any]]:
    previous = previous_pack(pack)
    if previous is None or not previous.content:
        return None, {"previous": None}
    ids = [a["id"] for a in overdue_actions(previous.content)]
    labels = dict(Action.Status.choices)
    states = {pk: labels.get(status, status) for pk, status in Action.objects.filter(pk__in=ids).values_list("pk", "status")}
    return previous, to_plain(compare(previous.content, content, states, previous))


# ---------------------------------------------------------------- rendering


def document_context(pack: BoardPack, content: dict[str, Any]) -> dict[str, Any]:
    """The pack document's context, from stored content alone (so the same
    content always renders the same document). The charts are the
    dashboards' charts of the same data."""
    from . import charts

    data = revive(content)
    return {
        "pack": pack, "title": pack.title, "as_of": data["as_of"], "generated_at": data["generated_at"],
        "p": data["portfolio"], "portfolio_charts": charts.portfolio_charts(data["portfolio"]),
        "programmes": [(s, charts.programme_charts(s)) for s in data["programmes"]],
        "exceptions": exception_lines(data), "changes": data.get("changes") or {"previous": None},
        "overdue": overdue_actions(data), "links": False, "site_url": settings.SITE_URL,
    }


def exception_lines(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The opening summary: each exception count with the date of its data."""
    p = data["portfolio"]
    counts = data["exceptions"]
    start, end = p["hotspot_weeks"]
    when = {
        "saturated_units": f"weeks of {long_date(_day(start))} to {long_date(_day(end))}",
        "not_ready": f"rollout waves going live from {long_date(_day(data['as_of']))}",
        "critical_reds": "each as last assessed",
        "barriers": "latest closed survey wave per unit",
        "overdue_actions": f"due before {long_date(_day(data['as_of']))}",
    }
    return [{"key": key, "label": label, "count": counts[key], "when": when[key]} for key, label in EXCEPTION_LABELS.items()]


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def render_html(pack: BoardPack, content: dict[str, Any]) -> str:
    return render_to_string("reports/pack_document.html", document_context(pack, content))


def render_pdf(html: str) -> bytes:
    """A4 PDF from the self-contained document. The fetcher allows data:
    URIs only: the document embeds its charts, and nothing in a pack may
    make the worker fetch a URL or read a file. Relative links resolve to
    the site, so the PDF's links open the live pages."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=fetcher).write_pdf()


def _sheet(wb: Workbook, title: str, headers: list[str], rows: Iterable[list[Any]], widths: list[int] | None = None) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append([_cell(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for i, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _cell(value: Any) -> Any:
    """A spreadsheet-safe value: dates as dates, text guarded against formulas."""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    return guard(value)


def render_xlsx(pack: BoardPack, content: dict[str, Any]) -> bytes:
    """The pack's figures as tables: exceptions, programmes, scores by unit
    and wave, criteria, overdue actions, and what changed. Dates are real
    date cells; every text cell is guarded against formula injection."""
    data = revive(content)
    p = data["portfolio"]
    as_of = data["as_of"]
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    exceptions: list[list[Any]] = []
    for h in p["hotspots"]:
        exceptions.append(["Saturated unit", ", ".join(h["programmes"]), h["unit"], f"Load {h['load']:g} against a tolerance of {h['tolerance']:g}",
                           h["week"]])
    for n in p["not_ready"]:
        exceptions.append(["Not ready for its wave", n["programme"], n["unit"], f"{n['rollout_wave']}: " + "; ".join(n["reasons"]),
                           n["score"]["as_of"] or as_of])
    recorded = timezone.localdate(data["generated_at"])
    for c in p["critical"]:
        # Each status carries its assessment date where one was recorded.
        for item in c.get("items") or [{"title": t, "as_of": None} for t in c["criteria"]]:
            exceptions.append(["Critical criterion at red", c["programme"], c["unit"], item["title"], item["as_of"] or recorded])
    for b in p["barriers"]:
        exceptions.append(["Barrier point", b["programme"], b["unit"], b["barrier"], b["as_of"]])
    listed = overdue_actions(data)
    for a in listed:
        exceptions.append(["Overdue action", a["programme"], a["unit"], f"{a['title']} ({a['days_overdue']} days overdue)", a["due_date"]])
    if (count := overdue_count(p)) > len(listed):
        exceptions.append(["Overdue actions not listed", "", "", f"{count} actions were overdue; the {len(listed)} longest overdue are listed",
                           as_of])
    _sheet(wb, "Exceptions", ["Exception", "Programme", "Unit", "Detail", "Date of the data"], exceptions, [26, 14, 30, 70, 16])
    _sheet(wb, "Programmes", ["Programme", "Name", "Phase", "Readiness RAG", "Readiness index", "Readiness data as of", "Top unit",
                              "Next go-live", "Units not ready", "Critical criteria at red", "Open actions", "Overdue actions", "Pack as of"],
           [[line["programme"], line["name"], line["phase"], line["score"]["rag_label"], line["score"]["index"] if line["score"]["shown"] else None,
             line["score"]["as_of"], line["top_unit"], line["next_go_live"], line["not_ready"], line["critical_reds"], line["open_actions"],
             line["overdue_actions"], as_of] for line in p["programmes"]],
           [12, 30, 14, 16, 16, 18, 24, 14, 14, 20, 12, 14, 12])
    # "Not enough data" is its own sheet, never an exception row (issue 18).
    _sheet(wb, "Not enough data", ["Programme", "Rollout wave", "Go-live", "Unit", "Why there is no figure", "Survey wave", "Wave closed on"],
           [[n["programme"], n["rollout_wave"], n["go_live"], n["unit"], n["reason"], n["wave"], n["as_of"]]
            for n in p.get("no_data", [])], [12, 24, 12, 30, 30, 30, 14])
    scores: list[list[Any]] = []
    for s in data["programmes"]:
        for row in s["heatmap"]:
            for wave, score in zip(s["waves"], row["scores"], strict=True):
                scores.append([s["programme"], row["unit"], wave["title"], wave["closes_on"], score["rag_label"],
                               score["index"] if score["shown"] else None, score["responses"] if score["shown"] else None,
                               score["response_rate"] if score["shown"] else None, score["barrier_label"], score["reason"]])
    _sheet(wb, "Scores by unit and wave", ["Programme", "Unit", "Survey wave", "Wave closed on", "Readiness RAG", "Readiness index",
                                           "Responses", "Response rate %", "Barrier point", "Not shown because"],
           scores, [12, 30, 30, 14, 16, 16, 12, 16, 16, 40])
    rag_order = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NO_DATA, Rag.NOT_ASSESSED]
    _sheet(wb, "Criteria", ["Programme", "Criterion", "Criticality", *[f"Units at {r.label.lower()}" for r in rag_order], "Recorded as at"],
           [[s["programme"], c["title"], c["criticality"], *[c["counts"].get(r.value, 0) for r in rag_order], timezone.localdate(data["generated_at"])]
            for s in data["programmes"] for c in s["criteria"]], [12, 40, 12, 12, 12, 12, 20, 18, 14])
    _sheet(wb, "Actions", ["Programme", "Action", "Unit", "Owner", "Due", "Days overdue", "Status", "Raised from", "Overdue as of"],
           [[a["programme"], a["title"], a["unit"], a["owner"], a["due_date"], a["days_overdue"], a["status"], a["source"], as_of]
            for a in listed], [12, 40, 24, 20, 12, 12, 12, 20, 14])
    _sheet(wb, "Changes", ["Change", "Programme", "Item", "From", "To"], change_rows(data.get("changes") or {}), [34, 12, 50, 24, 24])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _index_text(index: float | None, rag_label: str) -> str:
    return f"{index:g} ({rag_label.lower()})" if index is not None else rag_label


def change_rows(changes: dict[str, Any]) -> list[list[Any]]:
    """The 'what changed' section as rows (the XLSX sheet and the tests)."""
    if not changes.get("previous"):
        return [["No previous pack: this is the first board pack", "", "", "", ""]]
    rows: list[list[Any]] = [[f"Exceptions: {c['label'].lower()}", "", "", c["from"], c["to"]] for c in changes["counts"] if c["from"] != c["to"]]
    for c in changes["programmes"]:
        rows.append(["Programme readiness changed", c["programme"], c["name"], _index_text(c["index_from"], c["rag_from_label"]),
                     _index_text(c["index_to"], c["rag_to_label"])])
    rows += [["Unit newly not ready", r["programme"], f"{r['unit']} ({r['rollout_wave']})", "", "; ".join(r["reasons"])]
             for r in changes["not_ready_new"]]
    rows += [["Unit no longer not ready", r["programme"], f"{r['unit']} ({r['rollout_wave']})", "; ".join(r["reasons"]), ""]
             for r in changes["not_ready_cleared"]]
    rows += [["Critical criterion now at red", r["programme"], f"{r['criterion']}: {r['unit']}", "", "Red"] for r in changes["critical_opened"]]
    rows += [["Critical criterion no longer at red", r["programme"], f"{r['criterion']}: {r['unit']}", "Red", ""] for r in changes["critical_closed"]]
    rows += [["Action newly overdue", a["programme"], a["title"], "", f"Due {a['due_date']}"] for a in changes["overdue_new"]]
    rows += [["Overdue action closed", a["programme"], a["title"], "Overdue", a["status"]] for a in changes["actions_closed"]]
    rows += [["New saturation hotspot", ", ".join(h["programmes"]), h["unit"], "", f"Load {h['load']:g} in the week of {h['week']}"]
             for h in changes["hotspots_new"]]
    return rows


# ---------------------------------------------------------------- building


def fail_stuck_packs(now: dt.datetime | None = None) -> int:
    """Mark failed every pack still building BUILD_TIMEOUT after the worker
    began it (or, for one begun before that was recorded, after it was
    requested): its worker died or hung, and a pack left building forever
    would never be asked for again. Returns how many."""
    now = now or timezone.now()
    stuck = (BoardPack.objects.filter(status=Status.BUILDING).annotate(since=Coalesce("started_at", "requested_at"))
             .filter(since__lt=now - BUILD_TIMEOUT).values_list("pk", "since"))
    failed = 0
    for pk, since in list(stuck):
        # `_fail` locks the row and leaves it alone if it finished meanwhile.
        if _fail(BoardPack(pk=pk), STUCK_ERROR, (now - since).total_seconds()):
            log.warning("Board pack %s was still being generated after %s: marked failed", pk, BUILD_TIMEOUT)
            failed += 1
    return failed


def sweep_orphan_files(now: dt.datetime | None = None) -> int:
    """Remove the files under the packs' folder that no pack names and that
    are older than BUILD_TIMEOUT: a worker killed between writing a build's
    files and storing the pack leaves them (its retry writes new ones), and
    no build still running is that old (it would have been failed as
    stuck). Never raises: the scheduler's pass goes on with the storage
    down. Returns how many were removed."""
    now = now or timezone.now()
    storage = BoardPack._meta.get_field("pdf").storage
    removed = 0
    try:
        _, names = storage.listdir(PACK_FOLDER)
        named = {name for pair in BoardPack.objects.values_list("pdf", "xlsx") for name in pair if name}
        for name in names:
            path = f"{PACK_FOLDER}/{name}"
            if path not in named and storage.get_modified_time(path) < now - BUILD_TIMEOUT:
                storage.delete(path)
                removed += 1
    except FileNotFoundError:
        pass  # no pack was ever stored (the file system's folder does not exist yet)
    except Exception:  # noqa: BLE001  (the file system's OSError or the S3 client's errors: try again next pass)
        log.warning("Could not sweep the board packs' orphaned files", exc_info=True)
    if removed:
        log.warning("Removed %s board pack file(s) no pack names (builds whose worker died before storing them)", removed)
    return removed


def _claim(pack_id: int, *, rerun: bool = False) -> BoardPack | None:
    """Move a queued pack to building (once: a task run twice, or a pack
    already built, is left alone), noting when, so a build that never ends
    can be failed. Packs stuck in another build are failed first.

    `rerun`: the task queue is running this pack's task again because its
    earlier run died (a killed worker: see `core.tasks.is_rerun`), so a pack
    left building is that dead run's and is taken over and built, once. Two
    builds finishing anyway still store one pack (`_store` stores only a
    building pack, and a ready pack refuses any further save)."""
    fail_stuck_packs()
    with transaction.atomic():
        pack = BoardPack.objects.select_for_update().filter(pk=pack_id).first()
        if pack is None or pack.status not in ({Status.QUEUED, Status.BUILDING} if rerun else {Status.QUEUED}):
            return None
        if pack.status == Status.BUILDING:
            log.warning("Board pack %s: its earlier build died with its worker; building it again", pack_id)
        pack.status, pack.started_at = Status.BUILDING, timezone.now()
        pack.save(update_fields=["status", "started_at"])
        return pack


def pack_build(pack_id: int, *, notify: bool = True, rerun: bool = False) -> str:
    """Generate a queued pack: gather, compare with the last board, render
    HTML, PDF and XLSX, then store it all and mark it ready (notifying the
    Board in the same transaction unless `notify=False`), or mark it failed
    with the reason. Returns "ready", "failed" or "skipped".

    The slow part runs outside any transaction, so the web server and the
    worker keep sharing SQLite; only the final write holds a lock. Whatever
    fails, storing included, marks the pack failed; a worker that dies
    mid-build leaves it to the task's retry (`rerun`) or, failing that, to
    `fail_stuck_packs`."""
    pack = _claim(pack_id, rerun=rerun)
    if pack is None:
        return "skipped"
    started = time.monotonic()
    try:
        generated_at = timezone.now()
        content = gather(pack.as_of, generated_at)
        previous, content["changes"] = changes_for(pack, content)
        content["previous"] = previous.pk if previous else None
        content["title"] = pack.title
        # Text stored before input was cleaned may hold characters PDF and
        # XLSX cannot (issue 17): the pack is built from cleaned text.
        content = clean_tree(content)
        html = render_html(pack, content)
        pdf = render_pdf(html)
        xlsx = render_xlsx(pack, content)
    except Exception as exc:  # noqa: BLE001  (any failure is recorded on the pack, with its reason)
        log.exception("Board pack %s failed", pack_id)
        _fail(pack, f"{type(exc).__name__}: {exc}", time.monotonic() - started)
        return Status.FAILED
    stored = False
    try:
        _save_files(pack, pdf=pdf, xlsx=xlsx)
        stored = _store(pack, content=content, html=html, previous=previous, generated_at=generated_at,
                        seconds=time.monotonic() - started, notify=notify)
    except Exception as exc:  # noqa: BLE001  (the files, the write, the audit or the notification failed: rolled back, recorded)
        log.exception("Board pack %s could not be stored", pack_id)
        _fail(pack, f"{type(exc).__name__}: {exc}", time.monotonic() - started)
        return Status.FAILED
    finally:
        if not stored:
            _remove_files(pack)
    return Status.READY if stored else Status.FAILED


def _save_files(pack: BoardPack, *, pdf: bytes, xlsx: bytes) -> None:
    """Write the pack's PDF and XLSX to the storage under new random names
    (`pack_file_path`: a retried build never overwrites an earlier attempt's
    files), noting their names and sizes on `pack` for `_store`."""
    for kind, data in (("pdf", pdf), ("xlsx", xlsx)):
        getattr(pack, kind).save(f"board-pack-{pack.as_of.isoformat()}.{kind}", ContentFile(data), save=False)
        setattr(pack, f"{kind}_size", len(data))


def _remove_files(pack: BoardPack) -> None:
    """Remove the files of a build that was not stored (failed, or no longer
    wanted), so nothing points at them and nothing is left behind."""
    for kind in ("pdf", "xlsx"):
        field_file = getattr(pack, kind)
        if field_file:
            try:
                field_file.delete(save=False)
            except Exception:  # noqa: BLE001  (the build's outcome stands; an orphan file is only logged)
                log.warning("Could not remove a board pack file of pack %s", pack.pk, exc_info=True)


@task(takes_context=True)
def build_pack(context: TaskContext, pack_id: int, notify: bool = True) -> str:
    """Generate one requested board pack in the worker (HTML, PDF, XLSX)
    and, unless `notify` is false (the bench), notify the Board. Retried by
    the queue when its worker dies, picking up the pack it left building."""
    return pack_build(pack_id, notify=notify, rerun=is_rerun(context))


@transaction.atomic
def _store(pack: BoardPack, *, content: dict[str, Any], html: str, previous: BoardPack | None,
           generated_at: dt.datetime, seconds: float, notify: bool = True) -> bool:
    """Store a built pack (its files already written by `_save_files` onto
    `pack`) and mark it ready, if it is still being built (one failed as
    stuck meanwhile stays failed: the schedule may have asked for another).
    Works on a fresh locked copy, so a failure here leaves the caller's
    `pack` as it was for `_fail`."""
    row = BoardPack.objects.select_for_update().filter(pk=pack.pk, status=Status.BUILDING).first()
    if row is None:
        log.warning("Board pack %s was no longer being generated when it finished: not stored", pack.pk)
        return False
    before = _snapshot(row)
    row.content, row.html = content, html
    row.pdf, row.xlsx, row.pdf_size, row.xlsx_size = pack.pdf.name, pack.xlsx.name, pack.pdf_size, pack.xlsx_size
    row.previous, row.generated_at, row.seconds = previous, generated_at, round(seconds, 2)
    row.status, row.error = Status.READY, ""
    row.save()
    notified = notify_ready(row) if notify else 0
    audit.record(actor=None, action="update", obj=row, before=before,
                 after={**_snapshot(row), "sizes": {"html": len(html.encode()), "pdf": row.pdf_size, "xlsx": row.xlsx_size}, "notified": notified})
    return True


@transaction.atomic
def _fail(pack: BoardPack, error: str, seconds: float) -> bool:
    """Mark a pack failed with a one-line reason, if it is still being built
    (never a ready one; one already failed keeps its first reason)."""
    row = BoardPack.objects.select_for_update().filter(pk=pack.pk, status__in=[Status.QUEUED, Status.BUILDING]).first()
    if row is None:
        return False
    before = _snapshot(row)
    # One line, short: the page shows it; the traceback is in the worker's log.
    row.error = " ".join(error.split())[:ERROR_MAX]
    row.status, row.seconds = Status.FAILED, round(seconds, 2)
    row.save(update_fields=["error", "status", "seconds"])
    audit.record(actor=None, action="update", obj=row, before=before, after=_snapshot(row))
    pack.error, pack.status, pack.seconds = row.error, row.status, row.seconds
    return True


def board_recipients() -> list[User]:
    return list(User.objects.filter(role=Role.BOARD, is_active=True).exclude(email="").order_by("pk"))


def notify_ready(pack: BoardPack) -> int:
    """One email per active Board member with an address: a link, never a
    figure (the pack is OFFICIAL; the page checks who is asking). Called in
    the transaction that marks the pack ready."""
    template = get_template("reports/pack_email_ready.txt")
    subject = f"Board pack ready: as of {long_date(pack.as_of)}"
    url = pack_url(pack)
    return outbox_add_many([
        OutboxMessage(key=f"board-pack-ready:{pack.pk}:{user.pk}", kind="board-pack-ready", to_address=user.email, subject=subject,
                      body=template.render({"user": user, "pack": pack, "url": url, "as_of": long_date(pack.as_of)}))
        for user in board_recipients()
    ])


def pack_record_download(*, pack: BoardPack, fmt: str, actor: User) -> tuple[File, str, str]:
    """A ready pack's file, open for streaming (the PDF and XLSX from the
    storage, the HTML from the row), its content type and file name; the
    download is audited because a pack holds the whole portfolio's
    board-level data. A file missing from the storage is a ValidationError
    (and no audit row): the pack cannot be downloaded."""
    if pack.status != Status.READY:
        raise ValidationError("The pack is not ready.")
    if fmt not in FORMATS:
        raise ValidationError(f"Unknown format {fmt!r}.")
    if fmt == "html":
        handle: File = ContentFile(pack.html.encode())
    else:
        field_file = getattr(pack, fmt)
        if not field_file:
            raise ValidationError("The pack has no such file.")
        try:
            handle = field_file.open("rb")
        except (OSError, ValueError) as exc:
            log.error("Board pack %s: its %s file cannot be read from the storage", pack.pk, fmt)
            raise ValidationError("The pack's file cannot be read.") from exc
    audit.record(actor=actor, action="download", obj=pack, after={"format": fmt})
    return handle, CONTENT_TYPES[fmt], f"board-pack-{pack.as_of.isoformat()}.{fmt}"
