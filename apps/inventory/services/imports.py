"""Catalogue import jobs: the one way a catalogue file gets in (dashboard, command, admin).

Every file becomes an ``ImportJob``. A large one runs on a Celery worker; a small one
(``background=False``) runs the same way, here and now. Two passes over the file, a batch
of IMPORT_BATCH_ROWS rows at a time (``import_rows`` has the rules of each kind):

1. The check. Every row is parsed and planned by the import's own rules; nothing is
   written but the row report and the progress, a batch at a time. A dry run stops here
   and the manager confirms on the job page.
2. The import. Each batch is parsed and planned again (the shop may have changed) and
   written in its own short transaction: a few hundred rows, a handful of set-based
   statements, so no customer waits on the write lock (on SQLite, the database's one lock).
   The progress commits with the batch, so the job page is never stale.

Two guarantees (``ImportJob.all_or_nothing``):

- All or nothing (the default): a file with any bad row is refused by the check, having
  written nothing. If a batch fails at import time (the catalogue changed since the
  check), the batches already written are restored row by row from their ``undo``:
  stock through the ledger (an adjustment back, never below zero), catalogue rows to
  their former values, new rows removed. While it runs, customers see the file partly
  applied; the end state is all of it or none of it.
- Good rows kept: the bad rows are reported and left out, every other row is written;
  each batch is still all or nothing on its own.
"""

import itertools
import logging
import time
import uuid
from collections import Counter
from datetime import timedelta

from celery import current_app
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError

from .. import selectors
from ..errors import (
    CatalogueFileError,
    ImportJobStateError,
    InventoryValidationError,
    NotFoundError,
)
from ..models import ImportJob, ImportJobRow, ImportJobUndo
from . import import_files
from . import import_reports as reports
from .import_products import ProductRules
from .import_rows import BrandRules, CategoryRules, Row, Rules, StockRules, planned

logger = logging.getLogger(__name__)

RULES: dict[str, type[Rules]] = {
    "products": ProductRules,
    "categories": CategoryRules,
    "stock": StockRules,
    "brands": BrandRules,
}
KINDS = ("products", "categories", "stock")  # what the dashboard and the command import

IMPORT_BACKGROUND_ROWS = 2_000
IMPORT_BACKGROUND_BYTES = 1_000_000
IMPORT_BATCH_ROWS = 200  # one short transaction, and one progress update, per batch
IMPORT_CHUNK_ROWS = IMPORT_BATCH_ROWS
IMPORT_JOB_STALE_AFTER = timedelta(hours=2)
RUN_TASK = "inventory.import_job_run"
SQLITE_PAUSE_MAX = 0.1  # seconds: the longest sleep of SQLite's busy handler


class _BatchRefused(Exception):
    """A batch with a bad row, in all-or-nothing mode: nothing of it is written."""


def _enqueue(job_id: int, *, apply: bool) -> None:
    """Run the job on a worker after the commit. The task is named, not imported: its
    module imports this one."""

    def send():
        if current_app.conf.task_always_eager:  # tests and scripts: what the task would do
            import_job_run(job_id=job_id, apply=apply)
        else:
            current_app.send_task(RUN_TASK, (job_id, apply))

    transaction.on_commit(send)


def import_is_large(*, file, filename: str) -> bool:
    """Whether a file is big enough to import as a background job (CatalogueFileError: bad name)."""
    fmt = import_files.file_format(filename)
    if file.size > IMPORT_BACKGROUND_BYTES:
        return True
    return import_files.count_data_rows(file=file, fmt=fmt) > IMPORT_BACKGROUND_ROWS


def import_job_create(
    *,
    kind: str,
    file,
    filename: str,
    dry_run: bool = True,
    user_id: int | None = None,
    background: bool | None = None,
    all_or_nothing: bool = True,
) -> int:
    """Store a catalogue file as an import job and start it. Returns the job id.

    ``background`` None decides by size; True queues it on a worker (after commit) whatever
    its size; False runs it now. A dry run stops after the check (see the note above).
    """
    if kind not in RULES:
        raise InventoryValidationError(
            _("Tipo de importación desconocido: %(kind)s.") % {"kind": kind},
            details={"kind": "invalid"},
        )
    fmt = import_files.file_format(filename)
    total = 0
    if file.size <= IMPORT_BACKGROUND_BYTES:  # a large file is counted by the worker
        total = import_files.count_data_rows(file=file, fmt=fmt)
    if background is None:
        background = file.size > IMPORT_BACKGROUND_BYTES or total > IMPORT_BACKGROUND_ROWS
    job = ImportJob(
        kind=kind,
        original_filename=filename[:255],
        format=fmt,
        dry_run=dry_run,
        background=background,
        all_or_nothing=all_or_nothing,
        total_rows=total,
        created_by_id=user_id,
    )
    file.seek(0)
    job.file.save(f"{uuid.uuid4().hex}.{fmt}", file, save=False)
    with transaction.atomic():
        job.save()
        if background:
            _enqueue(job.pk, apply=not dry_run)
    if not background:
        import_job_run(job_id=job.pk, apply=not dry_run)
    return job.pk


def catalogue_import(
    *,
    kind: str,
    content: bytes,
    filename: str,
    dry_run: bool,
    user_id: int | None = None,
    all_or_nothing: bool = True,
) -> selectors.ImportReport:
    """Import a small file now (or only check it, with ``dry_run``) as a job that runs here,
    and return its report."""
    try:
        job_id = import_job_create(
            kind=kind,
            file=ContentFile(content, name=filename),
            filename=filename,
            dry_run=dry_run,
            user_id=user_id,
            background=False,
            all_or_nothing=all_or_nothing,
        )
    except (CatalogueFileError, InventoryValidationError) as error:
        return selectors.ImportReport(kind=kind, dry_run=dry_run, errors=[error.message], rows=[])
    return selectors.import_job_report(job_id=job_id)


def import_job_confirm(*, job_id: int) -> None:
    """Import a job's file after a clean dry run (on a worker if the job is one)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFoundError(_("Importación no encontrada."))
        refused = job.error_count and job.all_or_nothing
        if job.status != ImportJob.Status.DRY_RUN_DONE or refused or not job.processed_rows:
            raise ImportJobStateError(
                _("Esta importación no se puede confirmar (estado: %(status)s).")
                % {"status": job.get_status_display()}
            )
        ImportJob.objects.filter(pk=job_id).update(
            dry_run=False, status=ImportJob.Status.CONFIRMED, updated_at=timezone.now()
        )
        if job.background:
            _enqueue(job.pk, apply=True)
    if not job.background:
        import_job_run(job_id=job_id, apply=True)


def import_job_run(*, job_id: int, apply: bool) -> None:
    """Run an import job: the check and, with ``apply``, the import (the note above).

    Idempotent: a job that is running, done or failed is left alone, and of two runs of the
    same job only the one that moves it out of its state goes ahead.
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFoundError(_("Importación no encontrada."))
    startable = {ImportJob.Status.QUEUED}
    if apply:
        startable.add(ImportJob.Status.CONFIRMED)
    if job.status not in startable:
        return
    checked = job.status == ImportJob.Status.CONFIRMED
    if not _claim(job, ImportJob.Status.IMPORTING if checked else ImportJob.Status.VALIDATING):
        return
    try:
        if not checked:
            counts = _check_pass(job)
            refused = counts["error"] and job.all_or_nothing
            if not apply or refused or not sum(counts.values()):
                _check_finish(job, counts, apply=apply)
                return
            _claim(job, ImportJob.Status.IMPORTING, status=ImportJob.Status.VALIDATING)
        _import_pass(job)
    except CatalogueFileError as error:
        reports.fail(job.pk, error.message)
    except Exception:
        logger.exception("import job %s failed", job_id)
        _restore(job)
        reports.fail(job.pk, _("Error inesperado durante la importación. No se ha cambiado nada."))
        raise


def _claim(job: ImportJob, new_status: str, *, status: str | None = None) -> bool:
    now = timezone.now()
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=status or job.status).update(
            status=new_status,
            started_at=now,
            updated_at=now,
            processed_rows=0,
            error_message="",
        )
    )


def _check_finish(job: ImportJob, counts: Counter, *, apply: bool) -> None:
    message = ""
    if apply and counts["error"]:
        message = _(
            "%(n)s filas con errores: corrija el archivo y vuelva a subirlo. No se ha guardado nada."
        ) % {"n": counts["error"]}
    reports.finish(
        job.pk,
        status=ImportJob.Status.FAILED if message else ImportJob.Status.DRY_RUN_DONE,
        counts=counts,
        message=message,
    )


# --- The passes ------------------------------------------------------------------------------


def _batches(job: ImportJob, rules: Rules):
    """The file's data rows, read and parsed, a batch at a time; repeated keys marked."""
    reading = import_files.FileReading()
    with job.file.open("rb") as file:
        if not job.total_rows:
            total = import_files.count_data_rows(file=file, fmt=job.format)
            ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        rows = import_files.iter_file_rows(file=file, fmt=job.format, reading=reading)
        try:
            header = next(rows, None)
            headers = import_files.check_headers(
                header[1] if header else None, required=rules.required, optional=rules.optional
            )
            rules.number_style = reading.number_style
            ImportJob.objects.filter(pk=job.pk).update(notes=reading.notes())
            seen: dict[str, int] = {}
            while chunk := list(itertools.islice(rows, IMPORT_BATCH_ROWS)):
                batch = [rules.read(number, cells, headers) for number, cells in chunk]
                keys = {row.key for row in batch if row.key}
                rules.mark_repeated(
                    batch, {**reports.first_rows(job.pk, keys), **_seen(seen, keys)}
                )
                for row in batch:
                    if row.key:
                        seen.setdefault(row.key, row.number)
                if len(seen) > 10 * IMPORT_BATCH_ROWS:
                    seen.clear()  # older keys are found in the stored report
                yield batch
        finally:
            rows.close()


def _seen(seen: dict[str, int], keys) -> dict[str, int]:
    return {key: seen[key] for key in keys if key in seen}


def _check_pass(job: ImportJob) -> Counter:
    """Pass 1: check every row, write nothing but the report and the progress."""
    ImportJobRow.objects.filter(job_id=job.pk).delete()
    rules = RULES[job.kind](user_id=job.created_by_id)
    counts: Counter = Counter()
    gap = _LockGap()
    for rows in _batches(job, rules):
        rules.plan(rows)
        gap.take()
        with transaction.atomic():
            ImportJobRow.objects.bulk_create(reports.report_row(job.pk, row) for row in rows)
            counts.update(row.action for row in rows)
            reports.progress(job.pk, counts)
        gap.free()
    return counts


def _import_pass(job: ImportJob) -> None:
    """Pass 2: write the rows, each batch in its own short transaction (the note above)."""
    rules = RULES[job.kind](user_id=job.created_by_id)
    counts: Counter = Counter()
    gap = _LockGap()
    failed = 0
    for rows in _batches(job, rules):
        written = _apply_batch(job, rules, rows, counts, gap)
        if not written:
            failed += sum(not row.ok for row in rows)
            with transaction.atomic():
                reports.report_write(job.pk, rows)
                counts.update(row.action for row in rows)
                reports.progress(job.pk, counts)
            if job.all_or_nothing:
                _abort(job, rules, counts, failed)
                return
    reports.finish(job.pk, status=ImportJob.Status.DONE, counts=counts)
    ImportJobUndo.objects.filter(job_id=job.pk).delete()
    job.file.delete(save=False)  # the report stays; the uploaded data goes
    ImportJob.objects.filter(pk=job.pk).update(file="")


class _LockGap:
    """On SQLite, the one write lock is left free between two batches for at least as long
    as the last batch held it (up to SQLITE_PAUSE_MAX): waiting writers poll for it (SQLite's
    busy handler sleeps up to 100 ms between tries) and must find it free when they look.
    Reading and planning the next batch is part of that time; only the rest is slept."""

    def __init__(self):
        self.freed_at = self.taken_at = self.held = 0.0

    def take(self) -> None:
        if connection.vendor == "sqlite":
            rest = min(self.held, SQLITE_PAUSE_MAX) - (time.perf_counter() - self.freed_at)
            if rest > 0:
                time.sleep(rest)
        self.taken_at = time.perf_counter()

    def free(self) -> None:
        self.freed_at = time.perf_counter()
        self.held = self.freed_at - self.taken_at


def _apply_batch(
    job: ImportJob, rules: Rules, rows: list[Row], counts: Counter, gap: _LockGap
) -> bool:
    """Plan and write one batch in one transaction; False (nothing written) if it failed."""
    try:
        # Reads first, outside the transaction: the write lock is held for the writes only.
        # What changed in between makes the writes fail (the batch is refused) or, for a
        # stock level, is read again under the row's lock (stock_levels_set).
        rules.plan(rows)
        if job.all_or_nothing and any(not row.ok for row in rows):
            raise _BatchRefused
        report = reports.report_changes(job.pk, rows)
        gap.take()
        with transaction.atomic():
            rules.write(planned(rows))
            undo = [row.undo for row in rows if row.undo]
            if undo and job.all_or_nothing:
                ImportJobUndo.objects.create(job_id=job.pk, entries=undo)
            reports.report_save(*report)
            counts.update(row.action for row in rows)
            reports.progress(job.pk, counts)
    except _BatchRefused:
        return False
    except (ValidationError, ApplicationError, DatabaseError) as error:
        logger.warning("import job %s: a batch failed at import time: %s", job.pk, error)
        for row in planned(rows):
            row.fail(
                InventoryValidationError(
                    _("No se pudo guardar: el catálogo cambió mientras se importaba.")
                )
            )
        return False
    finally:
        gap.free()
    return True


def _abort(job: ImportJob, rules: Rules, counts: Counter, failed: int) -> None:
    _restore(job, rules)
    reports.finish(
        job.pk,
        status=ImportJob.Status.FAILED,
        counts=counts,
        message=_(
            "La importación no se aplicó: %(n)s filas fallaron al guardarlas (el catálogo "
            "cambió desde la comprobación). Lo ya aplicado se ha deshecho. No se ha cambiado nada."
        )
        % {"n": failed},
    )


def _restore(job: ImportJob, rules: Rules | None = None) -> None:
    """Undo the batches the import pass wrote, last first, each in a short transaction."""
    rules = rules or RULES[job.kind](user_id=job.created_by_id)
    while True:
        with transaction.atomic():
            batch = ImportJobUndo.objects.filter(job_id=job.pk).order_by("-pk").first()
            if batch is None:
                return
            rules.restore(list(reversed(batch.entries)))
            batch.delete()


def import_job_fail_stale(*, idle: timedelta = IMPORT_JOB_STALE_AFTER) -> int:
    """Mark failed the jobs whose worker died mid-run (no progress for ``idle``).

    A check writes nothing; the import's batches already written are restored (all or
    nothing) before the job is marked. The manager sees the reason and uploads the file again."""
    stale = ImportJob.objects.filter(
        status__in=(ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING),
        updated_at__lt=timezone.now() - idle,
    )
    for job in stale.filter(status=ImportJob.Status.IMPORTING, all_or_nothing=True):
        _restore(job)
    return stale.update(
        status=ImportJob.Status.FAILED,
        error_message=_(
            "La importación se interrumpió (el proceso que la hacía se detuvo). Vuelva a subir el archivo."
        ),
        finished_at=timezone.now(),
    )
