"""The ETL's use cases: run a source (or all), backfill past days, replay the quarantine.

Each run is one warehouse transaction per source (see ``pipeline.runner``); the command,
the Celery tasks and the dashboard all come through here.
"""

import dataclasses
from datetime import datetime

from django.utils import timezone

from .models import Run, Source
from .pipeline import checksum, runner, source_inventory, source_sales, source_users

LOADERS = {
    Source.USERS: source_users.load,
    Source.INVENTORY: source_inventory.load,
    Source.SALES: source_sales.load,
}
ORDER = (Source.USERS, Source.INVENTORY, Source.SALES)  # dimensions before the facts


class EtlError(Exception):
    code = "etl_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


@dataclasses.dataclass(frozen=True)
class RunSummary:
    run_id: int
    source: str
    kind: str
    status: str
    read: int
    loaded: int
    quarantined: int
    deduplicated: int
    duration_ms: int | None
    error: str

    @classmethod
    def of(cls, run: Run) -> "RunSummary":
        return cls(
            run.pk,
            run.source,
            run.kind,
            run.status,
            run.rows_read,
            run.rows_loaded,
            run.rows_quarantined,
            run.rows_deduplicated,
            run.duration_ms,
            run.error,
        )


def _sources(source: str | None) -> list[str]:
    if source in (None, "", "all"):
        return list(ORDER)
    if source not in LOADERS:
        raise EtlError(
            f"Origen desconocido: {source}. Válidos: {', '.join(ORDER)}.", code="unknown_source"
        )
    return [source]


def _window(since: datetime | None, until: datetime | None) -> None:
    if since and until and since >= until:
        raise EtlError("El inicio de la ventana debe ser anterior al final.", code="bad_window")
    if until and until > timezone.now():
        raise EtlError("La ventana no puede acabar en el futuro.", code="bad_window")


def _one(source, *, kind, since=None, until=None, replay=False, reason="", progress=None):
    try:
        run = runner.execute(
            source,
            LOADERS[source],
            kind=kind,
            since=since,
            until=until,
            replay=replay,
            reason=reason,
            progress=progress,
        )
    except runner.SourceBusy:
        run = Run.objects.using("warehouse").filter(source=source).order_by("-pk").first()
    return RunSummary.of(run)


def etl_run(
    *,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    full: bool = False,
    progress=None,
) -> list[RunSummary]:
    """Load new and changed rows since each source's watermark (or ``since``; ``full``: since
    the beginning) up to ``until`` (default now). A source already running is skipped."""
    _window(since, until)
    kind = Run.Kind.FULL if full else Run.Kind.INCREMENTAL
    start = datetime(2000, 1, 1).astimezone() if full and since is None else since
    return [
        _one(name, kind=kind, since=start, until=until, progress=progress)
        for name in _sources(source)
    ]


def etl_backfill(
    *, since: datetime, until: datetime | None = None, source: str | None = None, progress=None
) -> list[RunSummary]:
    """Restate ``[since, until)``: everything created or changed then is read and loaded again
    and its days re-aggregated and reconciled. The watermark does not move back."""
    if since is None:
        raise EtlError("Indique desde cuándo (--since).", code="bad_window")
    _window(since, until)
    return [
        _one(name, kind=Run.Kind.BACKFILL, since=since, until=until, progress=progress)
        for name in _sources(source)
    ]


def etl_replay(*, source: str | None = None, reason: str = "", progress=None) -> list[RunSummary]:
    """Read again what the quarantine holds (after the data or the rule was fixed): records
    that pass now are loaded once and their quarantine rows closed; the rest stay."""
    return [
        _one(name, kind=Run.Kind.REPLAY, replay=True, reason=reason, progress=progress)
        for name in _sources(source)
    ]


def warehouse_checksums(*, include_run: bool = True, aggregates: bool = False) -> dict[str, str]:
    """SHA-256 of every fact table (and the daily aggregates), row by row in key order."""
    return checksum.checksums(include_run=include_run, aggregates=aggregates)
