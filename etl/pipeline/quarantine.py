"""The quarantine's bookkeeping: one open row per (record, row, reason), closed by the first
run that loads the record."""

from collections.abc import Iterable

from django.utils import timezone

from ..models import Quarantine
from .load import WAREHOUSE
from .validate import Problem


def settle(*, run_id: int, source: str, entity_ids: Iterable[int], problems: list[Problem]) -> int:
    """Record this run's verdict on these records: open problems stay (updated), new ones are
    added, and open rows of records that loaded this time are closed. Returns new rows."""
    ids = [i for i in set(entity_ids) if i is not None]
    rows = Quarantine.objects.using(WAREHOUSE)
    existing = {}
    for start in range(0, len(ids), 500):
        for row in rows.filter(
            source=source, status=Quarantine.Status.OPEN, entity_id__in=ids[start : start + 500]
        ):
            existing[(row.entity_id, row.key, row.reason)] = row
    keep, new = set(), []
    for problem in problems:
        found = existing.get((problem.entity_id, problem.key, problem.reason))
        if found is not None:
            keep.add(found.pk)
            if found.raw != problem.raw or found.last_run_id != run_id:
                rows.filter(pk=found.pk).update(raw=problem.raw, last_run_id=run_id)
            continue
        new.append(
            Quarantine(
                run_id=run_id,
                source=source,
                stage=problem.stage,
                entity=problem.entity,
                entity_id=problem.entity_id,
                key=problem.key,
                reason=problem.reason,
                raw=problem.raw,
                last_run_id=run_id,
            )
        )
    rows.bulk_create(new, batch_size=500)
    closed = [row.pk for row in existing.values() if row.pk not in keep]
    for start in range(0, len(closed), 500):
        rows.filter(pk__in=closed[start : start + 500]).update(
            status=Quarantine.Status.RESOLVED, resolved_at=timezone.now(), resolved_run_id=run_id
        )
    return len(new)


def open_entity_ids(*, source: str, reason: str = "") -> list[int]:
    rows = Quarantine.objects.using(WAREHOUSE).filter(source=source, status=Quarantine.Status.OPEN)
    if reason:
        rows = rows.filter(reason=reason)
    return sorted(set(rows.exclude(entity_id=None).values_list("entity_id", flat=True)))
