"""Catalogue import jobs as the dashboard, the admin and the command show them."""

import dataclasses
from collections import Counter
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..models import ImportJob, ImportJobRow

ACTION_LABELS = {
    "new": gettext_lazy("Nuevo"),
    "update": gettext_lazy("Actualización"),
    "skip": gettext_lazy("Sin cambios"),
    "error": gettext_lazy("Error"),
}

IMPORT_JOB_RUNNING = (
    ImportJob.Status.QUEUED,
    ImportJob.Status.VALIDATING,
    ImportJob.Status.CONFIRMED,
    ImportJob.Status.IMPORTING,
)


@dataclasses.dataclass(frozen=True)
class ImportJobInfo:
    id: int
    kind: str
    kind_label: str
    filename: str
    format: str
    status: str
    status_label: str
    dry_run: bool
    background: bool
    all_or_nothing: bool
    total_rows: int
    processed_rows: int
    new_count: int
    updated_count: int
    unchanged_count: int
    error_count: int
    error_message: str
    notes: list[str]
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    now: datetime

    @property
    def running(self) -> bool:
        return self.status in IMPORT_JOB_RUNNING

    @property
    def progress_known(self) -> bool:
        return True  # each batch commits its progress with its rows

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if not self.running else 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def rows_per_second(self) -> int | None:
        """The pace of the pass under way (None before its first batch)."""
        if not self.started_at or not self.processed_rows:
            return None
        elapsed = ((self.finished_at or self.now) - self.started_at).total_seconds()
        return int(self.processed_rows / elapsed) if elapsed > 0 else None

    @property
    def eta_seconds(self) -> int | None:
        """Seconds left in the pass under way, at its pace so far (None when not running)."""
        pace = self.rows_per_second
        if not self.running or not pace or self.status == ImportJob.Status.CONFIRMED:
            return None
        return max(0, (self.total_rows - self.processed_rows) // pace)

    @property
    def can_confirm(self) -> bool:
        return (
            self.status == ImportJob.Status.DRY_RUN_DONE
            and not (self.error_count and self.all_or_nothing)
            and self.processed_rows > self.error_count
        )


def _import_job_info(job: ImportJob) -> ImportJobInfo:
    return ImportJobInfo(
        id=job.pk,
        kind=job.kind,
        kind_label=job.get_kind_display(),
        filename=job.original_filename,
        format=job.format,
        status=job.status,
        status_label=job.get_status_display(),
        dry_run=job.dry_run,
        background=job.background,
        all_or_nothing=job.all_or_nothing,
        total_rows=job.total_rows,
        processed_rows=job.processed_rows,
        new_count=job.new_count,
        updated_count=job.updated_count,
        unchanged_count=job.unchanged_count,
        error_count=job.error_count,
        error_message=job.error_message,
        notes=list(job.notes or ()),
        created_by=job.created_by.email if job.created_by_id else "",
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        now=timezone.now(),
    )


def import_job_get(*, job_id: int) -> ImportJobInfo | None:
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    return _import_job_info(job) if job is not None else None


def import_job_list(*, limit: int = 10) -> list[ImportJobInfo]:
    """The most recent import jobs, newest first."""
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-pk")[:limit]
    return [_import_job_info(job) for job in jobs]


def import_job_row_page(
    *, job_id: int, errors_only: bool = False, page: int = 1, per_page: int = 50
):
    """A job's row report, errors first (or errors only), then in file order."""
    rows = ImportJobRow.objects.filter(job_id=job_id)
    if errors_only:
        rows = rows.filter(action=ImportJobRow.Action.ERROR).order_by("row_number")
    else:
        rows = rows.order_by(
            Case(When(action=ImportJobRow.Action.ERROR, then=Value(0)), default=Value(1)),
            "row_number",
        )
    return Paginator(rows.only("row_number", "action", "key", "errors"), per_page).get_page(page)


# --- A small file's whole report (the dashboard's inline dry run, the command) ---------------


@dataclasses.dataclass
class RowReport:
    number: int  # the row in the file, counting the header as row 1
    action: str  # new | update | skip | error
    key: str
    messages: list[str]  # the errors; on other rows, how a number was read


@dataclasses.dataclass
class ImportReport:
    kind: str
    dry_run: bool
    errors: list[str]  # about the whole file
    rows: list[RowReport]
    notes: list[str] = dataclasses.field(default_factory=list)  # how the file was read
    job_id: int | None = None
    can_confirm: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not any(row.action == "error" for row in self.rows)

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(row.action for row in self.rows)
        return {action: counts.get(action, 0) for action in ACTION_LABELS}

    @property
    def error_rows(self) -> list[RowReport]:
        return [row for row in self.rows if row.action == "error"]


def import_job_report(*, job_id: int) -> ImportReport:
    """A job's whole report in file order (for small files: it holds every row)."""
    job = ImportJob.objects.get(pk=job_id)
    rows = [
        RowReport(number=number, action=action, key=key, messages=list(errors))
        for number, action, key, errors in ImportJobRow.objects.filter(job_id=job_id)
        .order_by("row_number")
        .values_list("row_number", "action", "key", "errors")
    ]
    file_failed = job.status == ImportJob.Status.FAILED and not any(
        row.action == "error" for row in rows
    )
    return ImportReport(
        kind=job.kind,
        dry_run=job.dry_run,
        errors=[job.error_message] if file_failed and job.error_message else [],
        rows=rows,
        notes=list(job.notes or ()),
        job_id=job.pk,
        can_confirm=_import_job_info(job).can_confirm,
    )
