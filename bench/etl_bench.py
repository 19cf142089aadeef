"""Benchmark of the ETL on PostgreSQL: prints wall time, rows/s and peak memory, and the floor.

    python bench/etl_bench.py [--lines 1000000] [--products 5000] [--keep]

It creates two throw-away PostgreSQL databases (``BENCH_DB_PREFIX``, default
``electropluz_bench``, and the same with ``_wh``) on ``BENCH_PG`` (default
``postgres://postgres@127.0.0.1:5432``), and in separate processes (so each peak memory is
its own): migrates them, seeds a catalogue, generates ``--lines`` order lines of history
through ``seed_demo --history`` (timed: the generator), loads users and inventory, then times

- the full sales load (``etl run sales --full``): every order line into the warehouse;
- an incremental 6-hour window on top (about 100 new orders), inside one running process
  after a warm-up run, the way the Celery worker runs it (no Django start-up in the figure);
- the floor: a plain SQL ``INSERT … SELECT`` of the same rows (lines ⋈ orders ⋈ payments,
  shaped into cents and shop days) inside the shop's database.

The history's ``updated_at`` is set back a day before the loads, as if it had been
imported earlier (otherwise the incremental run's overlap would read it all again).
Without PostgreSQL it says so and exits 0. Nothing asserts: the test suite never times.
"""

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "electropluz_bench")
NAMES = (PREFIX, f"{PREFIX}_wh")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emit(**figures) -> None:
    print("BENCH " + json.dumps(figures), flush=True)


# --- Phases (each in its own process, inside Django) ---------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def phase_prepare(args) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("migrate", database="warehouse", verbosity=0, interactive=False)
    started = time.monotonic()
    call_command("seed_demo", "--allow-production", "--products", str(args.products),
                 "--orders", "1", verbosity=0)  # fmt: skip
    _emit(phase="catalogue", seconds=time.monotonic() - started, products=args.products)


def phase_history(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command("seed_demo", "--allow-production", "--history", "--lines", str(args.lines),
                 verbosity=0)  # fmt: skip
    seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sales_order SET updated_at = updated_at - interval '1 day'")
        cursor.execute("SELECT count(*) FROM sales_orderline")
        lines = cursor.fetchone()[0]
        cursor.execute("VACUUM ANALYZE")
    _emit(phase="generator", seconds=seconds, rows=lines, peak_mb=_peak_mb())


def phase_dimensions(args) -> None:
    from etl import services

    started = time.monotonic()
    services.etl_run(source="users")
    services.etl_run(source="inventory")
    _emit(phase="users+inventory", seconds=time.monotonic() - started, peak_mb=_peak_mb())


SALES_TABLES = (
    "etl_factsaleline", "etl_factrefund", "etl_factpayment", "etl_aggdailysales",
    "etl_aggdailydimension", "etl_reconciliation",
)  # fmt: skip


def phase_full(args) -> None:
    from django.db import connections

    from etl import services

    with connections["warehouse"].cursor() as cursor:  # a full load into an empty warehouse
        cursor.execute(f"TRUNCATE {', '.join(SALES_TABLES)}")
        cursor.execute("DELETE FROM etl_quarantine WHERE source = 'sales'")
        cursor.execute("UPDATE etl_watermark SET value = NULL WHERE source = 'sales'")
        cursor.execute("VACUUM ANALYZE")
    base = _peak_mb()
    started = time.monotonic()
    (summary,) = services.etl_run(source="sales", full=True)
    seconds = time.monotonic() - started
    from etl.models import FactSaleLine

    lines = FactSaleLine.objects.using("warehouse").count()
    _emit(phase="full load", seconds=seconds, rows=lines, peak_mb=_peak_mb(),
          start_mb=base, status=summary.status, quarantined=summary.quarantined)  # fmt: skip


def _recent_orders(count: int):
    """``count`` orders placed in the last 6 hours (paid by card), as history values."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from apps.inventory import selectors as inventory_selectors
    from apps.sales import services as sales_services

    rng = random.Random(6)  # noqa: S311
    variants = inventory_selectors.variant_refs_on_sale(limit=500)
    now = timezone.now()
    for n in range(count):
        created = now - timedelta(seconds=rng.randrange(6 * 3600))
        ref = rng.choice(variants)
        yield sales_services.HistoryOrder(
            number=f"NEW-{now:%H%M%S}-{n:04d}",
            created_at=created,
            email=f"nuevo{n}@demo.electropluz.test",
            status="paid",
            payment_method="card",
            lines=[sales_services.HistoryLine(ref.sku, 1, ref.price)],
            paid_at=created + timedelta(seconds=30),
            postal_code="28013",
        )


def phase_incremental(args) -> None:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from apps.sales import services as sales_services
    from etl import services
    from etl.models import Run, Watermark

    with connection.cursor() as cursor:  # an earlier --reuse run's new orders: out of the window
        cursor.execute(
            "UPDATE sales_order SET updated_at = updated_at - interval '1 day', "
            "created_at = created_at - interval '1 day' WHERE number LIKE 'NEW-%%'"
        )
    services.etl_run(source="sales")  # warm-up: the worker is already running
    sales_services.order_history_load(orders=_recent_orders(100), stock="untouched")
    Watermark.objects.using("warehouse").filter(source="sales").update(
        value=timezone.now() - timedelta(hours=6)
    )
    started = time.monotonic()
    (summary,) = services.etl_run(source="sales")
    seconds = time.monotonic() - started
    run = Run.objects.using("warehouse").get(pk=summary.run_id)
    _emit(phase="incremental 6 h", seconds=seconds, run_ms=run.duration_ms, rows=summary.read,
          status=summary.status, peak_mb=_peak_mb())  # fmt: skip


FLOOR = """
CREATE TEMP TABLE bench_floor AS
SELECT l.id AS line_id, o.id AS order_id, o.number, o.customer_id, l.variant_id, l.product_id,
       to_char(o.created_at AT TIME ZONE %(zone)s, 'YYYYMMDD')::int AS order_date_key,
       to_char(o.paid_at AT TIME ZONE %(zone)s, 'YYYYMMDD')::int AS paid_date_key,
       o.status, p.method, o.coupon_code, left(o.ship_postal_code, 2) AS province,
       l.quantity, l.refunded_quantity, (l.unit_price * 100)::bigint AS unit_price_cents,
       (l.line_total * 100)::bigint AS gross_cents, (l.discount * 100)::bigint AS discount_cents,
       o.created_at, o.paid_at
FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id
LEFT JOIN sales_payment p ON p.order_id = o.id
"""


def phase_floor(args) -> None:
    from django.conf import settings
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        started = time.monotonic()
        cursor.execute(FLOOR, {"zone": settings.SHOP_TIME_ZONE})
        seconds = time.monotonic() - started
        rows = cursor.rowcount
    _emit(phase="floor: INSERT … SELECT", seconds=seconds, rows=rows)


PHASES = {
    "prepare": phase_prepare,
    "history": phase_history,
    "dimensions": phase_dimensions,
    "full": phase_full,
    "incremental": phase_incremental,
    "floor": phase_floor,
}


# --- The driver ----------------------------------------------------------------------------


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


def _run_phase(name: str, args, env: dict) -> list[dict]:
    command = [sys.executable, __file__, "--phase", name, "--lines", str(args.lines),
               "--products", str(args.products)]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"phase {name} failed")
    return [json.loads(line[6:]) for line in done.stdout.splitlines() if line.startswith("BENCH ")]


def _print(figures: dict) -> None:
    rate = f"{figures['rows'] / figures['seconds']:>10,.0f} rows/s" if figures.get("rows") else " " * 17  # fmt: skip
    memory = f"{figures['peak_mb']:>7.0f} MB peak" if figures.get("peak_mb") else ""
    extra = f"  (run {figures['run_ms']} ms of work)" if "run_ms" in figures else ""
    rows = f"{figures.get('rows', ''):>10}"
    print(f"  {figures['phase']:<24} {figures['seconds']:>8.2f} s {rows} {rate} {memory}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the databases a --keep run left (skips the catalogue and the history)",
    )
    parser.add_argument("--only", choices=PHASES, help="with --reuse: run only this phase")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        _django()
        PHASES[args.phase](args)
        return
    try:
        _admin("SELECT 1")
    except Exception as error:  # psycopg missing or no server: nothing to measure
        print(f"ETL benchmark skipped: no PostgreSQL at {SERVER} ({type(error).__name__}).")
        return
    print(f"ETL benchmark: {args.lines:,} order lines, {args.products:,} products, PostgreSQL; "
          f"load average {os.getloadavg()[0]:.2f} (2 cores: run it on a quiet machine)")  # fmt: skip
    if not args.reuse:
        for name in NAMES:
            _admin(f'DROP DATABASE IF EXISTS "{name}"')
            _admin(f'CREATE DATABASE "{name}"')
    var_dir = tempfile.mkdtemp(prefix="electropluz-etl-bench-")
    env = {
        "ELECTROPLUZ_VAR_DIR": var_dir,
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DATABASE_URL": f"{SERVER}/{NAMES[0]}",
        "WAREHOUSE_URL": f"{SERVER}/{NAMES[1]}",
        "DJANGO_SETTINGS_MODULE": "electropluz.settings.base",
        "DJANGO_DEBUG": "0",  # with DEBUG on, Django keeps every query in memory
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "CELERY_BROKER_URL": "memory://",
    }
    try:
        for name in PHASES:
            if args.reuse and name in ("prepare", "history"):
                continue
            if args.only and name != args.only:
                continue
            for figures in _run_phase(name, args, env):
                _print(figures)
    finally:
        if not (args.keep or args.reuse):
            for name in NAMES:
                _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
