"""An import job's row report and its state, as the passes write them (``imports``)."""

from collections import Counter

from django.db.models import F, Min
from django.db.models.functions import Greatest
from django.utils import timezone

from ..models import ImportJob, ImportJobRow
from .bulk_writes import update_rows
from .import_rows import Row


def first_rows(job_id: int, keys) -> dict[str, int]:
    """Where each key first appears among the rows already in the report (duplicate keys)."""
    if not keys:
        return {}
    return dict(
        ImportJobRow.objects.filter(job_id=job_id, key__in=list(keys))
        .values("key")
        .annotate(first=Min("row_number"))
        .values_list("key", "first")
        .order_by()
    )


def report_row(job_id: int, row: Row) -> ImportJobRow:
    return ImportJobRow(
        job_id=job_id,
        row_number=row.number,
        action=row.action,
        key=row.key,
        errors=row.messages,
    )


def report_write(job_id: int, rows: list[Row]) -> None:
    report_save(*report_changes(job_id, rows))


def report_save(changed: list[ImportJobRow], missing: list[ImportJobRow]) -> None:
    update_rows(ImportJobRow, ["action", "errors"], changed)
    ImportJobRow.objects.bulk_create(missing)


def report_changes(job_id: int, rows: list[Row]) -> tuple[list, list]:
    """The batch's report rows where the import pass differs from the check (rare: the shop
    changed in between), and those the report lacks: one read."""
    stored = {
        number: (pk, action, errors)
        for pk, number, action, errors in ImportJobRow.objects.filter(
            job_id=job_id, row_number__in=[row.number for row in rows]
        ).values_list("pk", "row_number", "action", "errors")
    }
    changed, missing = [], []
    for row in rows:
        report = stored.get(row.number)
        if report is None:
            missing.append(report_row(job_id, row))
        elif report[1:] != (row.action, row.messages):
            changed.append(ImportJobRow(pk=report[0], action=row.action, errors=row.messages))
    return changed, missing


def progress(job_id: int, counts: Counter) -> None:
    processed = sum(counts.values())
    ImportJob.objects.filter(pk=job_id).update(
        processed_rows=processed,
        total_rows=Greatest(F("total_rows"), processed),
        new_count=counts["new"],
        updated_count=counts["update"],
        unchanged_count=counts["skip"],
        error_count=counts["error"],
        updated_at=timezone.now(),
    )


def finish(job_id: int, *, status: str, counts: Counter, message: str = "") -> None:
    now = timezone.now()
    processed = sum(counts.values())
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        processed_rows=processed,
        total_rows=processed,
        new_count=counts["new"],
        updated_count=counts["update"],
        unchanged_count=counts["skip"],
        error_count=counts["error"],
        error_message=message,
        finished_at=now,
        updated_at=now,
    )


def fail(job_id: int, message: str) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, error_message=message, finished_at=now, updated_at=now
    )
