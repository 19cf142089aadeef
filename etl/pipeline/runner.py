"""A run's life: record it, take the source's lock, load in one warehouse transaction that
also moves the watermark, record the outcome.

The lock is the source's watermark row, locked ``FOR UPDATE NOWAIT`` for the whole
transaction on PostgreSQL (a second run of that source is refused at once, and a crashed
worker's lock goes with its connection). SQLite has one writer at a time: its ``IMMEDIATE``
transaction is the lock. Either way it lives in the database, never in a process.
"""

import dataclasses
import logging
import time
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone

from ..models import Run, Watermark
from .load import WAREHOUSE, Writer

logger = logging.getLogger("etl")


class SourceBusy(Exception):
    """Another run of this source holds its lock."""


@dataclasses.dataclass
class Context:
    run: Run
    writer: Writer
    since: datetime | None
    until: datetime
    now: datetime
    replay: bool = False
    reason: str = ""  # replay only the quarantine rows with this reason
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    deduplicated: int = 0
    progress: object = None  # progress(source, read) after each batch, for the command

    @property
    def run_id(self) -> int:
        return self.run.pk

    def tick(self) -> None:
        if self.progress:
            self.progress(self.run.source, self.read)


def _lock(source: str) -> Watermark:
    try:
        return Watermark.objects.using(WAREHOUSE).select_for_update(nowait=True).get(source=source)
    except DatabaseError as error:
        raise SourceBusy(source) from error


def _advance(ctx: Context, mark: Watermark) -> None:
    """Move the watermark to the end of the window, never backwards and never over a gap."""
    if ctx.replay:
        return
    if mark.value is not None and ctx.since is not None and ctx.since > mark.value:
        return  # a window after a gap restates those days but does not vouch for the gap
    if mark.value is not None and mark.value >= ctx.until:
        return
    Watermark.objects.using(WAREHOUSE).filter(source=mark.source).update(
        value=ctx.until, run_id=ctx.run_id, updated_at=ctx.now
    )


def execute(source: str, load, *, kind: str, since, until, replay=False, reason="", progress=None):
    """Run ``load(ctx)`` for ``source`` over ``[since, until)``; returns the finished Run."""
    now = timezone.now()
    run = Run.objects.using(WAREHOUSE).create(
        source=source, kind=kind, window_since=since, window_until=until or now
    )
    Watermark.objects.using(WAREHOUSE).get_or_create(source=source)  # committed: the lock row
    started = time.monotonic()
    ctx = Context(run, Writer(run.pk), since, until or now, now, replay, reason, progress=progress)
    try:
        with transaction.atomic(using=WAREHOUSE):
            mark = _lock(source)
            if ctx.since is None and not replay:
                ctx.since = mark.value  # None: from the beginning
            load(ctx)
            _advance(ctx, mark)
    except SourceBusy:
        _finish(run, ctx, started, Run.Status.SKIPPED, "another run of this source is running")
        raise
    except Exception as error:
        ctx.loaded = 0  # rolled back
        _finish(run, ctx, started, Run.Status.FAILED, f"{type(error).__name__}: {error}")
        logger.exception("etl run %s (%s) failed", run.pk, source)
        raise
    _finish(run, ctx, started, Run.Status.SUCCEEDED, "")
    return run


def _finish(run: Run, ctx: Context, started: float, status: str, error: str) -> None:
    run.status, run.error = status, error[:2000]
    run.window_since = ctx.since
    run.rows_read, run.rows_loaded = ctx.read, ctx.loaded
    run.rows_quarantined, run.rows_deduplicated = ctx.quarantined, ctx.deduplicated
    run.finished_at = timezone.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save(using=WAREHOUSE)
