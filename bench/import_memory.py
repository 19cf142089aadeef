"""Benchmark of a large catalogue import job: prints rows/s and peak Python memory per pass.

    python bench/import_memory.py [--rows 50000] [--kind stock|products] [--format csv|xlsx]
                                  [--database sqlite|postgresql] [--no-trace]

It builds a throw-away shop (SQLite in a temporary folder, or a PostgreSQL database named by
BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/electropluz_bench_import,
created and dropped here), writes a generated file of ``--rows`` data rows and runs it as an
import job the way the dashboard does: the check (dry run), then the confirmed import, the
task run in this process (CELERY_TASK_ALWAYS_EAGER). ``stock`` sets the level of that many
existing variants (each change is an adjustment in the ledger); ``products`` creates that
many variants, two to a product, with seven brands.

Each pass prints its rows/s overall and for each fifth of the file (the pace must not fall
as the catalogue grows). It runs twice on the same shop: once timed, once under tracemalloc
for the peak of Python memory (the figure to watch is that it does not grow with the file;
tracemalloc slows the run several times, so its times are not the throughput). Each round
changes every row (new levels, or new SKUs). Nothing here asserts: the test suite never
times.
"""

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


PG_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/electropluz_bench_import"
)


def _postgres(action: str) -> None:
    """Create (or drop) the benchmark's PostgreSQL database."""
    import psycopg

    server, name = PG_URL.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if action == "create":
            connection.execute(f'CREATE DATABASE "{name}"')


def _setup(var_dir: str, database: str) -> None:
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "DATABASE_URL", "WAREHOUSE_URL", "CELERY_")):
            del os.environ[name]
    if database == "postgresql":
        _postgres("create")
        os.environ["DATABASE_URL"] = PG_URL
    os.environ.update(
        {
            "ELECTROPLUZ_VAR_DIR": var_dir,
            "DJANGO_SETTINGS_MODULE": "electropluz.settings.base",
            "DJANGO_DEBUG": "0",  # with DEBUG on, Django keeps every query in memory
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_LOG_LEVEL": "WARNING",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "CELERY_BROKER_URL": "memory://",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _catalogue(kind: str, rows: int) -> None:
    from decimal import Decimal

    from apps.inventory import services
    from apps.inventory.models import Product, Variant

    category_id = services.category_create(name="Bench", slug="bench")
    skus = _skus(kind, rows, 0)
    if kind == "stock":  # the variants to count, written in bulk (no stock, so no ledger)
        products = Product.objects.bulk_create(
            Product(category_id=category_id, name=f"Bench {i}", slug=f"bench-{i}")
            for i in range((rows + 4) // 5)
        )
        Variant.objects.bulk_create(
            (
                Variant(product=products[i // 5], sku=sku, price=Decimal("10.00"))
                for i, sku in enumerate(skus)
            ),
            batch_size=2000,
        )


def _skus(kind: str, rows: int, round_: int) -> list[str]:
    prefix = "BENCH" if kind == "stock" else f"BENCH{round_}"  # products: new SKUs each round
    return [f"{prefix}-{i:06d}" for i in range(rows)]


def _write(kind: str, fmt: str, rows_count: int, round_: int, folder: Path) -> Path:
    skus = _skus(kind, rows_count, round_)
    if kind == "stock":
        header = ["sku", "on_hand"]
        rows = ([sku, (i + round_) % 20 + 1] for i, sku in enumerate(skus))  # all change
    else:
        header = ["sku", "product", "category", "brand", "price", "cost", "options"]
        rows = (
            [
                sku,
                f"Producto {round_}-{i // 2}",
                "bench",
                f"Marca {i % 7}",
                f"{10 + i % 90}.90",
                "5.00",
                f"Color: {'Negro' if i % 2 else 'Blanco'}",
            ]
            for i, sku in enumerate(skus)
        )
    path = folder / f"{kind}-{round_}.{fmt}"
    if fmt == "csv":
        import csv

        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
    else:
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(path)
    return path


class Pace:
    """The job's progress as it is committed (once a batch): rows/s for each fifth."""

    def __init__(self):
        from apps.inventory.services import import_reports

        self.marks: list[tuple[float, int]] = []
        original = import_reports.progress

        def progress(job_id, counts):
            original(job_id, counts)
            self.marks.append((time.perf_counter(), sum(counts.values())))

        import_reports.progress = progress

    def fifths(self, started: float, rows: int) -> str:
        marks, paces, last = [(started, 0), *self.marks], [], (started, 0)
        for fifth in range(1, 6):
            target = rows * fifth // 5
            mark = next((m for m in marks if m[1] >= target), marks[-1])
            if mark[0] > last[0]:
                paces.append(f"{(mark[1] - last[1]) / (mark[0] - last[0]):,.0f}")
            last = mark
        return " / ".join(paces)


def _measure(label: str, rows: int, trace: bool, run, pace: Pace) -> None:
    if trace:
        tracemalloc.start()
    pace.marks.clear()
    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    peak = 0
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    memory = f"peak {peak / 2**20:7.1f} MiB" if trace else "peak (not traced)"
    print(f"{label:<34} {rows:>7} rows {elapsed:8.1f} s {rows / elapsed:8.0f} rows/s  {memory}")
    print(f"  rows/s by fifth of the file: {pace.fifths(started, rows)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--kind", choices=("stock", "products"), default="stock")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--no-trace", action="store_true", help="only the timed round")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="ep-bench-import-")
    try:
        try:
            _setup(var_dir, args.database)
        except Exception as error:  # no PostgreSQL here: say so, do not fail the other benches
            print(f"Skipped ({args.database}): {type(error).__name__}: {error}")
            return
        from django.core.files import File

        from apps.inventory import selectors, services
        from apps.inventory.models import StockMovement

        pace = Pace()
        print(
            f"Building a shop on {args.database} for {args.rows}-row {args.kind} "
            f"{args.format} files…",
            flush=True,
        )
        _catalogue(args.kind, args.rows)
        for round_, trace in enumerate((False,) if args.no_trace else (False, True)):
            path = _write(args.kind, args.format, args.rows, round_, Path(var_dir))
            print(
                f"Round {round_ + 1} ({'tracemalloc' if trace else 'timed'}), "
                f"file {path.stat().st_size / 2**20:.2f} MiB",
                flush=True,
            )
            job_ids = []

            def create(path=path, job_ids=job_ids):
                with path.open("rb") as handle:
                    job_ids.append(
                        services.import_job_create(
                            kind=args.kind,
                            file=File(handle, name=path.name),
                            filename=path.name,
                            background=True,  # the task runs here: eager, no transaction
                        )
                    )

            _measure("job: check (dry run)", args.rows, trace, create, pace)
            job = selectors.import_job_get(job_id=job_ids[0])
            print(f"  -> {job.status}: new={job.new_count} updated={job.updated_count} "
                  f"unchanged={job.unchanged_count} errors={job.error_count}")  # fmt: skip
            _measure(
                "job: import (short batches)",
                args.rows,
                trace,
                lambda job_ids=job_ids: services.import_job_confirm(job_id=job_ids[0]),
                pace,
            )
            job = selectors.import_job_get(job_id=job_ids[0])
            print(f"  -> {job.status}: new={job.new_count} updated={job.updated_count} "
                  f"unchanged={job.unchanged_count} errors={job.error_count} "
                  f"ledger movements={StockMovement.objects.count()}")  # fmt: skip
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        if args.database == "postgresql" and "DATABASE_URL" in os.environ:
            from django.db import connections

            connections.close_all()
            _postgres("drop")


if __name__ == "__main__":
    main()
