"""What the system page shows: the last hour of requests from the per-minute rollup, the
processes' memory, the queues, the databases and the cache, beside the day's business.
It reads the same sources as /metrics and needs no Prometheus."""

import dataclasses
import logging
import os
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from apps.core import selectors as core_selectors
from apps.inventory import selectors as inventory_selectors
from apps.sales import selectors as sales_selectors
from etl import selectors as etl_selectors

from . import metrics, queues, traffic
from .models import RequestMinute

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)


@dataclasses.dataclass(frozen=True)
class GroupTraffic:
    group: str
    requests: int
    per_minute: float
    p50_ms: float | None
    p95_ms: float | None
    client_errors: int
    server_errors: int

    @property
    def error_rate(self) -> float:
        return self.server_errors / self.requests if self.requests else 0.0

    @property
    def error_percent(self) -> float:
        return round(self.error_rate * 100, 2)


@dataclasses.dataclass(frozen=True)
class Traffic:
    groups: list[GroupTraffic]
    total: GroupTraffic
    minutes: list[str]  # "HH:MM" in the shop's zone, oldest first
    requests_per_minute: list[int]
    p95_per_minute: list[float | None]


@dataclasses.dataclass(frozen=True)
class Probe:
    name: str
    reachable: bool
    latency_ms: float | None
    size_bytes: int | None = None  # a database's size, when the server says
    keys: int | None = None  # a cache's keys, when it says


@dataclasses.dataclass(frozen=True)
class Business:
    orders_today: int
    net_sales_today: Decimal
    low_stock_variants: int


def latency_quantile(buckets: list[int], q: float) -> float | None:
    """The q-quantile in ms from counts per bound, interpolated inside its bucket (as
    Prometheus's histogram_quantile does); the last bucket answers its lower bound."""
    count = sum(buckets)
    if not count:
        return None
    rank = q * count
    seen = 0
    bounds = traffic.LATENCY_BOUNDS_MS
    for index, in_bucket in enumerate(buckets):
        if in_bucket and seen + in_bucket >= rank:
            if index >= len(bounds):
                return float(bounds[-1])
            lower = bounds[index - 1] if index else 0.0
            return lower + (bounds[index] - lower) * (rank - seen) / in_bucket
        seen += in_bucket
    return float(bounds[-1])


def _merge(rows, group: str, minutes: float) -> GroupTraffic:
    buckets = [0] * (len(traffic.LATENCY_BOUNDS_MS) + 1)
    requests = client_errors = server_errors = 0
    for row in rows:
        requests += row.requests
        client_errors += row.client_errors
        server_errors += row.server_errors
        buckets = [a + b for a, b in zip(buckets, row.buckets, strict=False)]
    return GroupTraffic(
        group=group,
        requests=requests,
        per_minute=round(requests / minutes, 2),
        p50_ms=latency_quantile(buckets, 0.50),
        p95_ms=latency_quantile(buckets, 0.95),
        client_errors=client_errors,
        server_errors=server_errors,
    )


def traffic_last_hour(*, now: datetime | None = None) -> Traffic:
    """Requests, p50/p95 latency and errors per view group over the last hour."""
    now = now or timezone.now()
    end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - WINDOW
    rows = list(RequestMinute.objects.filter(minute__gte=start, minute__lt=end))
    minutes_in_window = WINDOW.total_seconds() / 60
    by_group: dict[str, list] = {}
    by_minute: dict[datetime, list] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row)
        by_minute.setdefault(row.minute, []).append(row)
    groups = [
        _merge(by_group[group], group, minutes_in_window)
        for group in traffic.GROUPS
        if group in by_group
    ]
    labels, counts, p95s = [], [], []
    for step in range(int(minutes_in_window)):
        minute = start + timedelta(minutes=step)
        merged = _merge(by_minute.get(minute, []), "", 1)
        labels.append(timezone.localtime(minute).strftime("%H:%M"))
        counts.append(merged.requests)
        p95s.append(round(merged.p95_ms, 1) if merged.p95_ms is not None else None)
    return Traffic(
        groups=groups,
        total=_merge(rows, "total", minutes_in_window),
        minutes=labels,
        requests_per_minute=counts,
        p95_per_minute=p95s,
    )


def process_memory() -> list[dict]:
    """Resident memory of every live web and worker process this host's metrics know."""
    found = []
    for family in metrics.process_registry().collect():
        if family.name != "electropluz_process_resident_memory_bytes":
            continue
        for sample in family.samples:
            found.append(
                {
                    "role": sample.labels.get("role", ""),
                    "pid": sample.labels.get("pid") or str(os.getpid()),  # one process
                    "megabytes": round(sample.value / 1024 / 1024, 1),
                }
            )
    return sorted(found, key=lambda item: (item["role"], item["pid"]))


def _database_size(alias: str) -> int | None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        if connection.vendor == "mysql":
            cursor.execute(
                "SELECT SUM(data_length + index_length) FROM information_schema.tables "
                "WHERE table_schema = DATABASE()"
            )
            return int(cursor.fetchone()[0] or 0)
        if connection.vendor == "sqlite":
            name = Path(str(connection.settings_dict["NAME"]))
            return name.stat().st_size if name.is_file() else None
    return None


def database_probe(alias: str) -> Probe:
    started = time.perf_counter()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        latency = (time.perf_counter() - started) * 1000
        return Probe(alias, True, round(latency, 2), size_bytes=_database_size(alias))
    except Exception:  # unreachable: say so, do not fail the page
        return Probe(alias, False, None)


def _cache_keys(backend) -> int | None:
    client = getattr(backend, "client", None)
    if hasattr(client, "get_client"):  # django-redis: the server's key count
        return int(client.get_client(write=False).dbsize())
    store = getattr(backend, "_cache", None)  # local memory: what it holds
    return len(store) if isinstance(store, dict) else None


def cache_probe(backend=None) -> Probe:
    """Write, read and delete a key; the key count when the backend tells it."""
    backend = backend or cache
    key = f"system-page:{uuid.uuid4().hex}"
    started = time.perf_counter()
    try:
        backend.set(key, "1", timeout=5)
        reachable = backend.get(key) == "1"  # a Redis that is down answers a miss
        backend.delete(key)
        keys = _cache_keys(backend) if reachable else None
    except Exception:
        reachable, keys = False, None
    latency = round((time.perf_counter() - started) * 1000, 2) if reachable else None
    return Probe("cache", reachable, latency, keys=keys)


def business_today() -> Business:
    start, end = metrics.shop_day_bounds()
    return Business(
        orders_today=sales_selectors.order_count_between(since=start, until=end),
        net_sales_today=sales_selectors.ledger_net_revenue(since=start, until=end),
        low_stock_variants=inventory_selectors.low_stock_count(),
    )


def system_overview() -> dict:
    return {
        "traffic": traffic_last_hour(),
        "memory": process_memory(),
        "queue_length": queues.celery_queue_length(),
        "eager_tasks": settings.CELERY_TASK_ALWAYS_EAGER,
        "outbox": core_selectors.outbox_backlog(),
        "mail": core_selectors.mail_backlog(),
        "probes": [database_probe("default"), database_probe("warehouse"), cache_probe()],
        "business": business_today(),
        "etl": etl_health(),
    }


def etl_health() -> list | None:
    """Freshness and reconciliation per ETL source; None when the warehouse cannot say."""
    try:
        return etl_selectors.source_health(
            reconciled_since=timezone.localdate() - timedelta(days=7)
        )
    except Exception:  # the warehouse is down: the page says so instead of failing
        logger.warning("ETL health unreadable", exc_info=True)
        return None
