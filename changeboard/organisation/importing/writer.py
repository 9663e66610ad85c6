"""The staff import's writes: missing units created in bulk, new people
inserted, changed people updated, leavers marked, and an audit row for
each, all inside the commit's transaction."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Any, cast

from django.db import connection
from django.db.models import F, Field, Model
from django.utils import timezone

from changeboard.core import audit
from changeboard.core.models import AuditEntry
from changeboard.core.tabular import (
    ImportFileError,
)

from ..models import PATH_SEPARATOR, Staff, Unit, level_for_depth
from ..services import unit_code_for_path
from .columns import BATCH_SIZE, MAX_MANAGER_TIERS
from .rules import _FIELD_INDEX, _STAFF_MODEL_FIELDS, _Plan, _Row, _units_to_create


def _create_units(plan: _Plan, actor: Any) -> dict[str, int]:
    """Unit ids by lower-cased full path, creating the missing units.

    This does in bulk what `unit_create` does one unit at a time: the same
    materialised paths treebeard's `add_child` would give (next free step
    under each parent), the same codes, levels and full paths, one audit
    row per unit. A first import creates ~700 units, and one `unit_create`
    each (about ten queries, with savepoints) was nearly half the commit
    time, see docs/performance.md."""
    ids = {key: pk for key, (pk, _) in plan.lookups.units.items()}
    missing = _units_to_create(plan)  # parents first
    if not missing:
        return ids
    # Lock the existing units so a concurrent import cannot take the same
    # paths (SQLite's immediate transactions already serialise writers).
    existing = list(Unit.objects.select_for_update().values_list("pk", "path", "full_path"))
    last_step: dict[str, str] = {}
    path_of: dict[str, str] = {}
    full_path_of: dict[str, str] = {}
    pk_of_path: dict[str, int] = {}
    step = Unit.steplen
    for pk, path, full_path in existing:
        parent = path[:-step]
        if path[-step:] > last_step.get(parent, ""):
            last_step[parent] = path[-step:]
        path_of[full_path.lower()] = path
        full_path_of[full_path.lower()] = full_path
        pk_of_path[path] = pk
    names_of: dict[str, list[str]] = {}
    for parsed in plan.units_by_key.values():
        for depth in range(1, len(parsed.names) + 1):
            names_of.setdefault(PATH_SEPARATOR.join(parsed.names[:depth]).lower(), parsed.names[:depth])

    new_units: list[Unit] = []
    added_children: Counter[str] = Counter()
    for key in missing:
        names = names_of[key]
        depth = len(names)
        parent_key = PATH_SEPARATOR.join(names[:-1]).lower()
        parent_path = path_of[parent_key] if depth > 1 else ""
        position = Unit._str2int(last_step[parent_path]) + 1 if parent_path in last_step else 1
        path = Unit._get_path(parent_path, depth, position)
        if len(path) != depth * step:
            raise ImportFileError("The unit tree has no room for another unit under one of the file's units.")
        last_step[parent_path] = path[-step:]
        path_of[key] = path
        name = names[-1]
        full_path = f"{full_path_of[parent_key]}{PATH_SEPARATOR}{name}" if depth > 1 else name
        full_path_of[key] = full_path
        added_children[parent_path] += 1
        new_units.append(Unit(path=path, depth=depth, numchild=0, name=name, full_path=full_path, level=level_for_depth(depth), code=unit_code_for_path(path)))
    for unit in new_units:
        unit.numchild = added_children.get(unit.path, 0)
    Unit.objects.bulk_create(new_units, batch_size=BATCH_SIZE)
    for parent_path, count in added_children.items():
        if parent_path in pk_of_path:
            Unit.objects.filter(pk=pk_of_path[parent_path]).update(numchild=F("numchild") + count)
    if new_units and new_units[0].pk is None:
        found = dict(Unit.objects.filter(path__in=[u.path for u in new_units]).values_list("path", "pk"))
        for unit in new_units:
            unit.pk = found[unit.path]
    audit.record_many([audit.build(actor=actor, action="create", obj=unit, after=audit.snapshot(unit)) for unit in new_units])
    for key, unit in zip(missing, new_units, strict=True):
        ids[key] = unit.pk
    return ids


def _apply(plan: _Plan, *, actor: Any) -> None:
    """Write the plan. New people and all audit rows go in with
    `executemany` of plain tuples rather than `bulk_create`: at 45,000 rows
    Django's insert compiler (per-value preparation of model instances) was
    most of the commit time, see docs/performance.md. Updates, which are few
    in a normal sync, go through `bulk_update`."""
    unit_ids = _create_units(plan, actor)
    staff_ids: dict[str, int] = {number: row[0] for number, row in plan.lookups.staff.items()}
    auditor = _AuditRows(actor)

    _insert_new_staff(plan.create, unit_ids, staff_ids, auditor)

    # Changed people, grouped by which fields changed so each UPDATE sets only those.
    groups: defaultdict[tuple[str, ...], list[Staff]] = defaultdict(list)
    for row, current, changed in plan.update:
        after = Staff(
            pk=current[0], staff_number=row.number, first_name=row.first_name, last_name=row.last_name, email=row.email,
            unit_id=unit_ids[row.unit_key], role=row.role, rank_grade_id=row.rank_id, location=row.location,
            shift_pattern=row.shift, line_manager_id=staff_ids[row.manager] if row.manager else None,
            start_date=row.start, leave_date=row.leave, is_leaver=False, absent_until=row.absent,
        )
        groups[changed].append(after)
        auditor.update(current, after)
    for changed, people in groups.items():
        Staff.objects.bulk_update(people, list(changed), batch_size=BATCH_SIZE)

    # Leavers: marked, never deleted; the leave date is today unless HR gave one.
    today = plan.today
    leave_index = _FIELD_INDEX["leave_date"]
    undated = [current[0] for current in plan.leavers if current[leave_index] is None]
    dated = [current[0] for current in plan.leavers if current[leave_index] is not None]
    for start in range(0, len(undated), BATCH_SIZE):
        Staff.objects.filter(pk__in=undated[start : start + BATCH_SIZE]).update(is_leaver=True, leave_date=today)
    for start in range(0, len(dated), BATCH_SIZE):
        Staff.objects.filter(pk__in=dated[start : start + BATCH_SIZE]).update(is_leaver=True)
    for current in plan.leavers:
        after = _staff_from_values(current)
        after.is_leaver = True
        after.leave_date = after.leave_date or today
        auditor.update(current, after)

    auditor.write()


_STAFF_INSERT = ("staff_number", "first_name", "last_name", "email", "unit", "role", "rank_grade", "location", "shift_pattern",
                 "start_date", "leave_date", "is_leaver", "line_manager", "absent_until")
_LATE = 1 << 30  # manager depth of people in a management loop


def _manager_depths(rows: list[_Row]) -> dict[str, int]:
    """For each new person, how many new people are above them in the
    management chain (0: their manager is already known or they have none);
    _LATE for anyone in, or under, a loop of new people. Linear time."""
    new = {r.number: r for r in rows}
    depth: dict[str, int] = {}
    for row in rows:
        chain: list[str] = []
        on_chain: set[str] = set()
        number: str | None = row.number
        base = -1
        while number is not None and number not in depth:
            if number in on_chain:
                base = _LATE
                break
            chain.append(number)
            on_chain.add(number)
            manager = new[number].manager
            number = manager if manager in new else None
        else:
            if number is not None:
                base = depth[number]
        for number in reversed(chain):
            base = _LATE if base == _LATE else base + 1
            depth[number] = base
    return depth


def _insert_new_staff(rows: list[_Row], unit_ids: dict[str, int], staff_ids: dict[str, int], auditor: _AuditRows) -> None:
    """Insert new people tier by tier down the management chain: each
    tier's line managers already have ids when it goes in, so a normal
    chain needs no second pass however the file is ordered. People in a
    management loop (or below MAX_MANAGER_TIERS of new managers) go in
    without one and get it in a second pass once everyone has an id."""
    if not rows:
        return
    depths = _manager_depths(rows)
    tiers: defaultdict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        depth = depths[row.number]
        tiers[depth if depth < MAX_MANAGER_TIERS else _LATE].append(row)
    date = connection.ops.adapt_datefield_value
    for depth in sorted(tiers):
        tier = tiers[depth]
        late = depth == _LATE
        values = [
            (r.number, r.first_name, r.last_name, r.email, unit_ids[r.unit_key], r.role, r.rank_id, r.location, r.shift,
             date(r.start), date(r.leave), False, staff_ids[r.manager] if r.manager and not late else None, date(r.absent))
            for r in tier
        ]
        _insert_rows(Staff, _STAFF_INSERT, values)
        _note_ids(tier, staff_ids)
        if late:
            people = [Staff(pk=staff_ids[r.number], line_manager_id=staff_ids[r.manager]) for r in tier]
            Staff.objects.bulk_update(people, ["line_manager"], batch_size=BATCH_SIZE)
    for row in rows:
        auditor.create(staff_ids[row.number], row, unit_ids[row.unit_key], staff_ids[row.manager] if row.manager else None)


def _note_ids(rows: list[_Row], staff_ids: dict[str, int]) -> None:
    """The ids the database gave rows just inserted (executemany returns none)."""
    numbers = [r.number for r in rows]
    if len(numbers) > 5000:
        staff_ids.update(Staff.objects.values_list("staff_number", "pk"))
        return
    step = min(BATCH_SIZE, connection.features.max_query_params or BATCH_SIZE)
    for start in range(0, len(numbers), step):
        staff_ids.update(Staff.objects.filter(staff_number__in=numbers[start : start + step]).values_list("staff_number", "pk"))


def _insert_rows(model: type[Model], field_names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT plain, already adapted values with executemany, in batches."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, cast(Field, model._meta.get_field(name)).column)) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608  (names from the model)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE])


_AUDIT_INSERT = ("timestamp", "actor", "actor_name", "request_id", "action", "object_type", "object_id", "object_repr", "before", "after")


class _AuditRows:
    """Audit rows for many people at once. The actor, request id and time
    come from `audit.build`, so they match what `audit.record` writes;
    snapshots have exactly the keys `audit.snapshot` gives a Staff."""

    def __init__(self, actor: Any) -> None:
        template = audit.build(actor=actor, action="create", object_type=audit.object_label(Staff))
        self.head = (
            AuditEntry._meta.get_field("timestamp").get_db_prep_save(timezone.now(), connection),
            template.actor_id,
            template.actor_name,
            template.request_id,
        )
        self.object_type = template.object_type
        # What JSONField.get_db_prep_save does, without its per-call checks.
        self.json = partial(connection.ops.adapt_json_value, encoder=AuditEntry._meta.get_field("after").encoder)
        self.rows: list[tuple[Any, ...]] = []

    def create(self, pk: int, row: _Row, unit_id: int, manager_id: int | None) -> None:
        after = {
            "id": pk, "staff_number": row.number, "first_name": row.first_name, "last_name": row.last_name, "email": row.email,
            "unit": unit_id, "role": row.role, "rank_grade": row.rank_id, "location": row.location, "shift_pattern": row.shift,
            "line_manager": manager_id, "start_date": row.start.isoformat() if row.start else None,
            "leave_date": row.leave.isoformat() if row.leave else None, "is_leaver": False,
            "absent_until": row.absent.isoformat() if row.absent else None,
        }
        label = f"{row.first_name} {row.last_name} ({row.number})"[:200]
        self.rows.append((*self.head, "create", self.object_type, str(pk), label, None, self.json(after)))

    def update(self, current: tuple[Any, ...], after: Staff) -> None:
        before = audit.snapshot(_staff_from_values(current))
        self.rows.append(
            (*self.head, "update", self.object_type, str(after.pk), str(after)[:200], self.json(before),
             self.json(audit.snapshot(after)))
        )

    def write(self) -> None:
        _insert_rows(AuditEntry, _AUDIT_INSERT, self.rows)


def _staff_from_values(values: tuple[Any, ...]) -> Staff:
    """A Staff instance (unsaved, for snapshots and bulk updates) from a
    `_Lookups.staff` tuple."""
    kwargs = {f.attname: values[i + 2] for i, f in enumerate(_STAFF_MODEL_FIELDS)}
    return Staff(pk=values[0], staff_number=values[1], **kwargs)

