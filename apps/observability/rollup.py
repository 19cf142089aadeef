"""The per-minute request rollup, kept in memory by each process and written to the
database every ``REQUEST_ROLLUP_FLUSH_SECONDS`` (and when the minute turns), one row
per view group: a handful of inserts a minute, whatever the traffic."""

import bisect
import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import services
from .traffic import LATENCY_BOUNDS_MS, view_group

logger = logging.getLogger(__name__)

KEEP = timedelta(days=2)
PRUNE_EVERY_SECONDS = 3600


def _process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


class _Rollup:
    def __init__(self):
        self.lock = threading.Lock()
        self.minute = None
        self.groups: dict[str, list] = {}
        self.flushed_at = time.monotonic()
        self.pruned_at = 0.0

    def add(self, group: str, status: int, duration_ms: float) -> list | None:
        """Count one request; return the rows to write when it is time to write them."""
        minute = timezone.now().replace(second=0, microsecond=0)
        with self.lock:
            due = None
            if self.minute is not None and minute != self.minute:
                due = self._take()
            self.minute = minute
            counts = self.groups.setdefault(
                group, [0, 0, 0, 0.0, [0] * (len(LATENCY_BOUNDS_MS) + 1)]
            )
            counts[0] += 1
            counts[1] += 400 <= status < 500
            counts[2] += status >= 500
            counts[3] += duration_ms
            counts[4][bisect.bisect_left(LATENCY_BOUNDS_MS, duration_ms)] += 1
            if (
                due is None
                and time.monotonic() - self.flushed_at >= settings.REQUEST_ROLLUP_FLUSH_SECONDS
            ):
                due = self._take()
            return due

    def take(self) -> list:
        with self.lock:
            return self._take()

    def _take(self) -> list:
        self.flushed_at = time.monotonic()
        if self.minute is None or not self.groups:
            return []
        process = _process_name()
        rows = [
            services.MinuteCounts(
                minute=self.minute,
                group=group,
                process=process,
                requests=counts[0],
                client_errors=counts[1],
                server_errors=counts[2],
                duration_ms_total=round(counts[3], 3),
                buckets=counts[4],
            )
            for group, counts in self.groups.items()
        ]
        self.groups = {}
        return rows


_rollup = _Rollup()


def _write(rows: list) -> None:
    if not rows:
        return
    try:
        services.request_minutes_record(rows=rows)
        if time.monotonic() - _rollup.pruned_at >= PRUNE_EVERY_SECONDS:
            _rollup.pruned_at = time.monotonic()
            services.request_minutes_prune(before=timezone.now() - KEEP)
    except Exception:  # the figures of one flush are lost; the request is not
        logger.exception("request rollup could not be written")


def request_observe(*, path: str, status: int, duration: float) -> None:
    if not settings.REQUEST_ROLLUP_ENABLED:
        return
    _write(_rollup.add(view_group(path), status, duration * 1000) or [])


def request_rollup_flush() -> None:
    """Write what this process has counted so far (the system page does, before reading)."""
    if settings.REQUEST_ROLLUP_ENABLED:
        _write(_rollup.take())
