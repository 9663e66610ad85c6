"""Microsoft Project XML (MSPDI, "Save as XML" in MS Project): read a
project's tasks and links, and write a runbook as one. Pure Python, no
database: `importing.MspdiImporter` turns what is read here into the rows of
the task import, and `views.transfer` writes a runbook with `write_project`.

Reading (an uploaded file is untrusted): `defusedxml` refuses a DTD, entity
declarations and external references before anything is expanded, and the
file is bounded (`MAX_BYTES`, `MAX_TASKS`). The root must be `Project` (in
MS Project's namespace or none).

What is read from each `Task`:

- `UID` (links refer to it), `ID` (the row number MS Project shows: problems
  name it), `Name`, `OutlineLevel`, `Notes`;
- `Duration` (ISO 8601, "PT8H30M0S"; a day is the project's `MinutesPerDay`)
  as elapsed minutes: a cutover runs round the clock;
- `Milestone`, `Summary`; `ConstraintType` 4 ("start no earlier than") and
  its `ConstraintDate` as the fixed start, 7 ("finish no later than") and
  `Deadline` as the due time (the earlier of the two); other constraints
  are listed as ignored;
- `PredecessorLink`: `PredecessorUID`, `Type` (0=FF, 1=FS, 2=SF, 3=SS),
  `LinkLag` in tenths of a minute (negative: a lead), or a percentage of the
  predecessor's duration when `LagFormat` is 19 or 20;
- the owner from the first `Assignment`'s `Resource` name;
- the project's own custom text fields by their alias (`FIELDS`: ID,
  stream, sub-stream, type, rollback point), as `write_project` writes them.

Times in the file carry no zone: they are Europe/London local time.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405  (writing only; reading goes through defusedxml)
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

NS = "http://schemas.microsoft.com/project"
MAX_BYTES = 20 * 1024 * 1024
MAX_TASKS = 5000
DEFAULT_MINUTES_PER_DAY = 480

# Link types: MS Project's codes and ours.
LINK_FROM_MSP = {0: "FF", 1: "FS", 2: "SF", 3: "SS"}
LINK_TO_MSP = {v: k for k, v in LINK_FROM_MSP.items()}
PERCENT_LAG_FORMATS = {19, 20, 51, 52}
MINUTES_FORMAT = 3  # "m": LinkLag and durations shown in minutes
START_NO_EARLIER_THAN, FINISH_NO_LATER_THAN = 4, 7
CONSTRAINT_NAMES = {1: "as late as possible", 2: "must start on", 3: "must finish on", 5: "start no later than",
                    6: "finish no earlier than"}

# The task custom fields a runbook is written with (MS Project's Text1..Text5),
# read back by their alias (case and spacing do not matter).
FIELDS = {
    "ref": (188743731, "Text1", "Cutover ID"),
    "stream": (188743734, "Text2", "Stream"),
    "sub_stream": (188743737, "Text3", "Sub-stream"),
    "type": (188743740, "Text4", "Cutover type"),
    "rollback_point": (188743743, "Text5", "Rollback point"),
}


class MspdiError(ValueError):
    """The file is not an MS Project XML file we can read. The message is
    safe to show: it names no content of the file."""


@dataclass
class MspdiLink:
    predecessor_uid: int
    type: str
    lag_minutes: int | None  # None: a percentage lag, worked out from the predecessor (`lag_percent`)
    lag_percent: float = 0.0


@dataclass
class MspdiTask:
    uid: int
    row: int  # MS Project's ID, the row shown to people
    name: str
    outline_level: int
    duration_minutes: int | None
    milestone: bool
    summary: bool
    notes: str = ""
    not_before: dt.datetime | None = None  # naive, Europe/London
    due_by: dt.datetime | None = None
    links: list[MspdiLink] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)  # FIELDS key -> value
    owner: str = ""
    ignored: list[str] = field(default_factory=list)
    duration_text: str = ""


@dataclass
class MspdiProject:
    title: str
    start: dt.datetime | None
    tasks: list[MspdiTask]


# Reading ---------------------------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _int(text: str, default: int | None = None) -> int | None:
    if re.fullmatch(r"-?\d{1,12}", text, re.ASCII):
        return int(text)
    if re.fullmatch(r"-?\d{1,12}\.\d+", text, re.ASCII):
        return round(float(text))
    return default


def _flag(text: str) -> bool:
    return text.lower() in {"1", "true"}


_DURATION = re.compile(r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$", re.ASCII)


def parse_duration(text: str, minutes_per_day: int = DEFAULT_MINUTES_PER_DAY) -> int | None:
    """"PT8H30M0S" -> 510 (minutes, rounded); None when it is not a duration."""
    match = _DURATION.match(text.strip())
    if match is None or text.strip() in {"P", "PT"}:
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    total = parts["d"] * minutes_per_day + parts["h"] * 60 + parts["m"] + parts["s"] / 60
    return round(total)


def format_duration(minutes: int) -> str:
    """570 -> "PT9H30M0S", as MS Project writes durations."""
    return f"PT{minutes // 60}H{minutes % 60}M0S"


_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?", re.ASCII)


def parse_datetime(text: str) -> dt.datetime | None:
    match = _DATETIME.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
    try:
        return dt.datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def format_datetime(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _norm(alias: str) -> str:
    return re.sub(r"[\s_\-]+", " ", alias.strip().lower())


def read_project(data: bytes) -> MspdiProject:
    """The project's tasks as written in the file; raises `MspdiError`."""
    if not data.strip():
        raise MspdiError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise MspdiError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB, too large for an MS Project XML file of a runbook.")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise MspdiError("The file declares a DTD or entities, which are refused: save it from MS Project as XML again.") from exc
    except (ET.ParseError, ValueError, UnicodeDecodeError) as exc:
        raise MspdiError("The file is not well-formed XML.") from exc
    if _local(root.tag) != "Project" or (root.tag.startswith("{") and not root.tag.startswith("{" + NS + "}")):
        raise MspdiError("The file is XML but not a Microsoft Project file: its root element is not Project.")
    minutes_per_day = _int(_text(root, "MinutesPerDay")) or DEFAULT_MINUTES_PER_DAY
    aliases: dict[str, str] = {}  # FieldID -> FIELDS key
    wanted = {_norm(alias): key for key, (_, _, alias) in FIELDS.items()}
    attributes = _child(root, "ExtendedAttributes")
    for definition in _children(attributes, "ExtendedAttribute") if attributes is not None else []:
        key = wanted.get(_norm(_text(definition, "Alias")))
        if key:
            aliases[_text(definition, "FieldID")] = key
    tasks_element = _child(root, "Tasks")
    elements = _children(tasks_element, "Task") if tasks_element is not None else []
    if len(elements) > MAX_TASKS + 1:
        raise MspdiError(f"The file has {len(elements):,} tasks: a runbook import takes at most {MAX_TASKS:,}.")
    tasks: list[MspdiTask] = []
    for position, element in enumerate(elements, start=1):
        task = _read_task(element, position, minutes_per_day, aliases)
        if task is not None:
            tasks.append(task)
    _read_owners(root, {task.uid: task for task in tasks})
    return MspdiProject(title=_text(root, "Title") or _text(root, "Name"), start=parse_datetime(_text(root, "StartDate")), tasks=tasks)


class _Fields:
    """A task's child elements by name, found once (a task has dozens)."""

    def __init__(self, element: Element) -> None:
        self.first: dict[str, Element] = {}
        self.all: dict[str, list[Element]] = {}
        for child in element:
            name = _local(child.tag)
            self.first.setdefault(name, child)
            self.all.setdefault(name, []).append(child)

    def text(self, name: str) -> str:
        child = self.first.get(name)
        return (child.text or "").strip() if child is not None else ""


def _read_task(element: Element, position: int, minutes_per_day: int, aliases: dict[str, str]) -> MspdiTask | None:
    fields = _Fields(element)
    uid = _int(fields.text("UID"))
    if uid is None or _flag(fields.text("IsNull")):
        return None
    outline = _int(fields.text("OutlineLevel"), 1)
    if uid == 0 or outline == 0:
        return None  # the project summary task MS Project writes first
    duration_text = fields.text("Duration")
    task = MspdiTask(uid=uid, row=_int(fields.text("ID")) or position, name=fields.text("Name"),
                     outline_level=outline if outline is not None else 1,
                     duration_minutes=parse_duration(duration_text, minutes_per_day) if duration_text else 0,
                     milestone=_flag(fields.text("Milestone")), summary=_flag(fields.text("Summary")),
                     notes=fields.text("Notes"), duration_text=duration_text)
    constraint = _int(fields.text("ConstraintType"), 0) or 0
    constraint_date = parse_datetime(fields.text("ConstraintDate"))
    if constraint == START_NO_EARLIER_THAN and constraint_date:
        task.not_before = constraint_date
    elif constraint == FINISH_NO_LATER_THAN and constraint_date:
        task.due_by = constraint_date
    elif constraint in CONSTRAINT_NAMES:
        task.ignored.append(f"the constraint \"{CONSTRAINT_NAMES[constraint]}\"")
    deadline = parse_datetime(fields.text("Deadline"))
    if deadline and (task.due_by is None or deadline < task.due_by):
        task.due_by = deadline
    for link in fields.all.get("PredecessorLink", []):
        predecessor = _int(_text(link, "PredecessorUID"))
        if predecessor is None:
            continue
        code = _int(_text(link, "Type"), -1) if _text(link, "Type") else 1
        kind = LINK_FROM_MSP.get(code if code is not None else -1)
        if kind is None:
            task.ignored.append(f"a link of unknown type {_text(link, 'Type')!r} from the task with unique ID {predecessor}")
            continue
        lag = _int(_text(link, "LinkLag"), 0) or 0
        lag_format = _int(_text(link, "LagFormat"), 7)
        if lag_format in PERCENT_LAG_FORMATS:
            task.links.append(MspdiLink(predecessor, kind, None, float(lag)))
        else:
            task.links.append(MspdiLink(predecessor, kind, round(lag / 10)))
    for value in fields.all.get("ExtendedAttribute", []):
        key = aliases.get(_text(value, "FieldID"))
        if key:
            task.custom[key] = _text(value, "Value")
    return task


def _read_owners(root: Element, tasks: dict[int, MspdiTask]) -> None:
    resources_element = _child(root, "Resources")
    names = {}
    for resource in _children(resources_element, "Resource") if resources_element is not None else []:
        uid = _int(_text(resource, "UID"))
        if uid is not None and uid > 0:
            names[uid] = _text(resource, "Name")
    assignments = _child(root, "Assignments")
    for assignment in _children(assignments, "Assignment") if assignments is not None else []:
        task_uid, resource_uid = _int(_text(assignment, "TaskUID")), _int(_text(assignment, "ResourceUID"))
        task = tasks.get(task_uid) if task_uid is not None else None
        name = names.get(resource_uid, "") if resource_uid is not None else ""
        if task is not None and name and not task.owner:
            task.owner = name


# Writing ---------------------------------------------------------------------------------------------------------------


@dataclass
class OutTask:
    """One task as `write_project` writes it; times naive Europe/London."""

    uid: int
    ref: str
    name: str
    outline_level: int
    duration_minutes: int
    milestone: bool
    stream: str
    sub_stream: str
    kind: str
    rollback_point: bool
    notes: str
    start: dt.datetime
    finish: dt.datetime
    not_before: dt.datetime | None
    due_by: dt.datetime | None
    owner: str
    links: list[tuple[int, str, int]]  # predecessor uid, type, lag minutes


def _add(parent: Element, name: str, value: object) -> Element:
    element = ET.SubElement(parent, name)
    element.text = str(value)
    return element


def write_project(*, title: str, start: dt.datetime, finish: dt.datetime, tasks: list[OutTask]) -> bytes:
    """The runbook as MS Project XML: a 24-hour calendar (a cutover runs
    round the clock), durations and lags in minutes, the runbook's own
    fields as custom text fields, owners as resources."""
    ET.register_namespace("", NS)
    project = ET.Element(f"{{{NS}}}Project")
    q = _qualify
    _add(project, q("SaveVersion"), 14)
    _add(project, q("Name"), f"{title}.xml")
    _add(project, q("Title"), title)
    _add(project, q("Subject"), "Cutover runbook; times are Europe/London local time")
    _add(project, q("ScheduleFromStart"), 1)
    _add(project, q("StartDate"), format_datetime(start))
    _add(project, q("FinishDate"), format_datetime(finish))
    _add(project, q("CalendarUID"), 1)
    _add(project, q("DefaultStartTime"), "00:00:00")
    _add(project, q("MinutesPerDay"), 1440)
    _add(project, q("MinutesPerWeek"), 10080)
    _add(project, q("DaysPerMonth"), 30)
    _add(project, q("DurationFormat"), MINUTES_FORMAT)
    definitions = ET.SubElement(project, q("ExtendedAttributes"))
    for field_id, field_name, alias in FIELDS.values():
        definition = ET.SubElement(definitions, q("ExtendedAttribute"))
        _add(definition, q("FieldID"), field_id)
        _add(definition, q("FieldName"), field_name)
        _add(definition, q("Alias"), alias)
    calendars = ET.SubElement(project, q("Calendars"))
    calendar = ET.SubElement(calendars, q("Calendar"))
    _add(calendar, q("UID"), 1)
    _add(calendar, q("Name"), "24 Hours")
    _add(calendar, q("IsBaseCalendar"), 1)
    week = ET.SubElement(calendar, q("WeekDays"))
    for day in range(1, 8):
        weekday = ET.SubElement(week, q("WeekDay"))
        _add(weekday, q("DayType"), day)
        _add(weekday, q("DayWorking"), 1)
        times = ET.SubElement(ET.SubElement(weekday, q("WorkingTimes")), q("WorkingTime"))
        _add(times, q("FromTime"), "00:00:00")
        _add(times, q("ToTime"), "00:00:00")
    task_list = ET.SubElement(project, q("Tasks"))
    summary = ET.SubElement(task_list, q("Task"))
    for name, value in (("UID", 0), ("ID", 0), ("Name", title), ("OutlineLevel", 0), ("Start", format_datetime(start)),
                        ("Finish", format_datetime(finish)), ("Duration", format_duration(round((finish - start) / dt.timedelta(minutes=1)))),
                        ("DurationFormat", MINUTES_FORMAT), ("Milestone", 0), ("Summary", 1)):
        _add(summary, q(name), value)
    owners: dict[str, int] = {}
    for task in tasks:
        _write_task(task_list, task)
        if task.owner:
            owners.setdefault(task.owner, len(owners) + 1)
    resources = ET.SubElement(project, q("Resources"))
    for name, uid in owners.items():
        resource = ET.SubElement(resources, q("Resource"))
        _add(resource, q("UID"), uid)
        _add(resource, q("ID"), uid)
        _add(resource, q("Name"), name)
        _add(resource, q("Type"), 1)
    assignments = ET.SubElement(project, q("Assignments"))
    number = 0
    for task in tasks:
        if task.owner:
            number += 1
            assignment = ET.SubElement(assignments, q("Assignment"))
            _add(assignment, q("UID"), number)
            _add(assignment, q("TaskUID"), task.uid)
            _add(assignment, q("ResourceUID"), owners[task.owner])
            _add(assignment, q("Units"), 1)
    ET.indent(project)
    buffer = io.BytesIO()
    buffer.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
    buffer.write(b"<!-- A Changeboard cutover runbook. Times are Europe/London local time (GMT or BST). -->\n")
    ET.ElementTree(project).write(buffer, encoding="utf-8", xml_declaration=False)
    return buffer.getvalue()


def _qualify(name: str) -> str:
    return f"{{{NS}}}{name}"


def _write_task(parent: Element, task: OutTask) -> None:
    q = _qualify
    element = ET.SubElement(parent, q("Task"))
    _add(element, q("UID"), task.uid)
    _add(element, q("ID"), task.uid)
    _add(element, q("Name"), task.name)
    _add(element, q("OutlineLevel"), task.outline_level)
    _add(element, q("Start"), format_datetime(task.start))
    _add(element, q("Finish"), format_datetime(task.finish))
    _add(element, q("Duration"), format_duration(task.duration_minutes))
    _add(element, q("DurationFormat"), MINUTES_FORMAT)
    _add(element, q("Milestone"), int(task.milestone))
    _add(element, q("Summary"), 0)
    if task.not_before is not None:
        _add(element, q("ConstraintType"), START_NO_EARLIER_THAN)
        _add(element, q("ConstraintDate"), format_datetime(task.not_before))
    elif task.due_by is not None:
        _add(element, q("ConstraintType"), FINISH_NO_LATER_THAN)
        _add(element, q("ConstraintDate"), format_datetime(task.due_by))
    else:
        _add(element, q("ConstraintType"), 0)
    if task.due_by is not None:
        _add(element, q("Deadline"), format_datetime(task.due_by))
    if task.notes:
        _add(element, q("Notes"), task.notes)
    for predecessor, kind, lag in task.links:
        link = ET.SubElement(element, q("PredecessorLink"))
        _add(link, q("PredecessorUID"), predecessor)
        _add(link, q("Type"), LINK_TO_MSP[kind])
        _add(link, q("CrossProject"), 0)
        _add(link, q("LinkLag"), lag * 10)
        _add(link, q("LagFormat"), MINUTES_FORMAT)
    values = {"ref": task.ref, "stream": task.stream, "sub_stream": task.sub_stream, "type": task.kind,
              "rollback_point": "Yes" if task.rollback_point else "No"}
    for key, (field_id, _, _) in FIELDS.items():
        if values[key]:
            attribute = ET.SubElement(element, q("ExtendedAttribute"))
            _add(attribute, q("FieldID"), field_id)
            _add(attribute, q("Value"), values[key])


# A generated project, for the benchmark (`bench cutover`: import time) --------------------------------------------------


def synthetic_project(*, tasks: int = 2000, links: int = 3000, seed: int = 11) -> bytes:
    """A deterministic MS Project file of a cutover-shaped network: `tasks`
    tasks in streams of phases, about `links` links (all four types, lags
    and leads, always from an earlier task to a later one, so it schedules),
    milestones and fixed starts."""
    import random

    rng = random.Random(seed)  # noqa: S311  (test data, not security)
    start = dt.datetime(2027, 3, 6, 20, 0)
    streams = ("Business", "Technology", "Comms", "Support")
    out: list[OutTask] = []
    budget = links
    for i in range(1, tasks + 1):
        milestone = i % 50 == 0
        duration = 0 if milestone else rng.choice((5, 10, 15, 20, 30, 45, 60, 90, 120))
        wanted = min(i - 1, 1 if i <= 2 else rng.choice((1, 1, 1, 2, 2, 3)), budget)
        predecessors = sorted(rng.sample(range(max(1, i - 40), i), min(wanted, i - max(1, i - 40)))) if i > 1 else []
        budget -= len(predecessors)
        task_links = [(p, rng.choices(("FS", "SS", "FF", "SF"), (85, 8, 5, 2))[0], rng.choice((0, 0, 0, 5, 10, -5))) for p in predecessors]
        # A start-to-finish link with a lead could ask a task to finish before the plan starts: keep those finish-to-start.
        task_links = [(p, "FS" if kind == "SF" and lag < 0 else kind, lag) for p, kind, lag in task_links]
        out.append(OutTask(uid=i, ref=f"T-{i:04d}", name=f"Step {i} of the cutover", outline_level=1 if i % 25 == 1 else 2,
                           duration_minutes=duration, milestone=milestone, stream=streams[i % 4], sub_stream=f"Phase {1 + i // 200}",
                           kind="milestone" if milestone else "normal", rollback_point=False, notes="", start=start, finish=start,
                           not_before=start + dt.timedelta(hours=i // 500) if i % 500 == 0 else None, due_by=None, owner="",
                           links=task_links))
    return write_project(title="Generated cutover", start=start, finish=start, tasks=out)
