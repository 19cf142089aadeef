"""The project's own Prometheus series, beside django-prometheus's (requests, database, cache).

Counters and histograms live in ``prometheus_client``'s registry; under gunicorn or a
Celery prefork pool each process writes them to files in ``PROMETHEUS_MULTIPROC_DIR``
and a scrape adds the files up (``metrics_exposition``), so a count does not depend on
which process answers. Gauges that describe the shop (outbox, orders today, low stock)
are read from the database at scrape time through the apps' selectors: they are the
same whichever process reads them.
"""

import logging
import os
import time
from datetime import datetime, timedelta
from datetime import time as day_time

from django.utils import timezone
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from apps.core import selectors as core_selectors
from apps.inventory import selectors as inventory_selectors
from apps.sales import selectors as sales_selectors
from etl import selectors as etl_selectors

from . import queues

logger = logging.getLogger(__name__)

TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, float("inf"))

TASKS = Counter(
    "electropluz_celery_tasks_total",
    "Celery tasks that finished, by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
TASK_DURATION = Histogram(
    "electropluz_celery_task_duration_seconds",
    "How long Celery tasks ran, by task name.",
    ["task"],
    buckets=TASK_BUCKETS,
)
PROCESS_MEMORY = Gauge(
    "electropluz_process_resident_memory_bytes",
    "Resident memory of each live web or worker process.",
    ["role"],
    multiprocess_mode="liveall",
)

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_memory_seen: dict[str, float] = {}


def resident_memory_bytes() -> int | None:
    """This process's resident memory (Linux /proc), or None where that is not readable."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


def process_memory_observe(*, role: str, every_seconds: float = 5.0) -> None:
    """Record this process's memory, at most once every ``every_seconds``."""
    now = time.monotonic()
    if now - _memory_seen.get(role, -every_seconds) < every_seconds:
        return
    _memory_seen[role] = now
    value = resident_memory_bytes()
    if value is not None:
        PROCESS_MEMORY.labels(role=role).set(value)


def shop_day_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end of today in the shop's time zone (DST days are 23 or 25 hours)."""
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today, day_time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), day_time.min))
    return start, end


def _gauge(name: str, documentation: str, value: float, **labels) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


class ShopCollector:
    """Outbox and mail backlog, the task queue and the day's business, read at scrape time."""

    def collect(self):
        try:
            yield from self._shop()
            up = 1
        except Exception:  # a scrape must answer even when the database does not
            logger.exception("shop metrics could not be read")
            up = 0
        yield _gauge(
            "electropluz_shop_metrics_up", "1 when the shop's own gauges could be read.", up
        )
        length = queues.celery_queue_length()
        if length is not None:
            yield _gauge(
                "electropluz_celery_queue_length",
                "Messages waiting in the Celery queue.",
                length,
                queue=queues.DEFAULT_QUEUE,
            )

    def _shop(self):
        outbox = core_selectors.outbox_backlog()
        mail = core_selectors.mail_backlog()
        start, end = shop_day_bounds()
        yield _gauge(
            "electropluz_outbox_pending_messages", "Events waiting for delivery.", outbox.pending
        )
        yield _gauge(
            "electropluz_outbox_dead_messages",
            "Events given up on after every retry; an operator must look.",
            outbox.dead,
        )
        yield _gauge(
            "electropluz_outbox_oldest_pending_seconds",
            "Age of the oldest event still waiting (0 when none waits).",
            outbox.oldest_pending_seconds,
        )
        yield _gauge("electropluz_mail_pending_messages", "E-mails not sent yet.", mail.pending)
        yield _gauge("electropluz_mail_dead_messages", "E-mails given up on.", mail.dead)
        yield _gauge(
            "electropluz_orders_today",
            "Orders placed today (the shop's time zone), less refused card attempts.",
            sales_selectors.order_count_between(since=start, until=end),
        )
        yield _gauge(
            "electropluz_net_sales_today_euros",
            "Today's net sales from the sales ledger (captures less refunds), in euros.",
            float(sales_selectors.ledger_net_revenue(since=start, until=end)),
        )
        yield _gauge(
            "electropluz_low_stock_variants",
            "Active variants at or below their low-stock threshold.",
            inventory_selectors.low_stock_count(),
        )


class EtlCollector:
    """The warehouse's health per source: last success, a failed latest run, and the sales
    reconciliation's difference (the alert rules in deploy/monitoring read these names)."""

    def collect(self):
        try:
            health = etl_selectors.source_health(
                reconciled_since=timezone.localdate() - timedelta(days=7)
            )
        except Exception:  # the warehouse is down: the shop's own gauges still answer
            logger.exception("ETL metrics could not be read")
            return
        success = GaugeMetricFamily(
            "electropluz_etl_last_success_timestamp_seconds",
            "When the source's last successful run finished (Unix time; absent: never).",
            labels=["source"],
        )
        failed = GaugeMetricFamily(
            "electropluz_etl_last_run_failed",
            "1 when the source's latest run failed.",
            labels=["source"],
        )
        difference = GaugeMetricFamily(
            "electropluz_etl_reconciliation_difference",
            "Euros the last week's unreconciled days differ from the shop's ledger.",
            labels=["source"],
        )
        for source in health:
            if source.last_success_at is not None:
                success.add_metric([source.source], source.last_success_at.timestamp())
            failed.add_metric([source.source], int(source.last_run_failed))
            difference.add_metric([source.source], float(source.reconciliation_difference))
        yield from (success, failed, difference)


_shop_registry = CollectorRegistry(auto_describe=False)
_shop_registry.register(ShopCollector())
_shop_registry.register(EtlCollector())


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def process_registry() -> CollectorRegistry:
    """Counters and histograms of every process (summed from the files) or of this one."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics_exposition(*, include_shop: bool = True) -> bytes:
    """The text a scrape gets: every process's series, then the shop's gauges."""
    body = generate_latest(process_registry())
    if include_shop:
        body += generate_latest(_shop_registry)
    return body
