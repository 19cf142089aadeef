"""A catalogue import on the SQLite default while customers shop; prints what it measured.

    python tests/inventory/shop_under_import.py VAR_DIR ROWS SHOPPERS

Run by ``test_import_under_shopping.py`` in its own process: the test database is an
in-memory SQLite, and this needs a real file that several connections share, as the shop
runs (WAL, busy timeout, IMMEDIATE transactions). It builds a shop in VAR_DIR; then, while
SHOPPERS threads sign in and add to the cart again and again (timing each request), the
``import_catalogue`` command imports a stock file of ROWS rows in another process, as a
worker would: an import job, checked, then imported.
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "una-clave-segura-123"


def _setup(var_dir: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "electropluz.settings.test",
            "ELECTROPLUZ_VAR_DIR": var_dir,
            "DATABASE_URL": f"sqlite:///{var_dir}/shop.sqlite3",
            "WAREHOUSE_URL": f"sqlite:///{var_dir}/warehouse.sqlite3",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, the in-memory mail outbox

    call_command("migrate", verbosity=0, interactive=False)


def _shop(rows: int, shoppers: int) -> tuple[list[str], int, list[str]]:
    from decimal import Decimal

    from apps.accounts import services as accounts_services
    from apps.inventory import services
    from apps.inventory.models import Product, Variant

    category_id = services.category_create(name="Carga", slug="carga")
    products = Product.objects.bulk_create(
        Product(category_id=category_id, name=f"Carga {i}", slug=f"carga-{i}")
        for i in range((rows + 4) // 5)
    )
    skus = [f"LOAD-{i:06d}" for i in range(rows)]
    Variant.objects.bulk_create(
        (
            Variant(product=products[i // 5], sku=sku, price=Decimal("10.00"))
            for i, sku in enumerate(skus)
        ),
        batch_size=2000,
    )
    on_sale = services.product_create(
        name="En venta",
        category_id=category_id,
        variants=[services.VariantInput(sku="SALE-1", price=Decimal("9.99"), initial_stock=1000)],
    )
    variant_id = Variant.objects.get(product_id=on_sale).pk
    emails = [f"cliente{i}@example.com" for i in range(shoppers)]
    for email in emails:
        accounts_services.user_create(email=email, password=PASSWORD, role="customer")
    return skus, variant_id, emails


def _round(client, email: str, variant_id: int) -> list[tuple[str, float, int]]:
    """Sign in, then add to the cart: (request, seconds, HTTP status) for each."""
    timings = []
    for name, url, data in (
        ("sign-in", "/cuenta/entrar/", {"username": email, "password": PASSWORD}),
        ("add-to-cart", "/carrito/anadir/", {"variant_id": variant_id, "quantity": 1}),
    ):
        started = time.perf_counter()
        status = client.post(url, data).status_code  # a 500 raises in the test client
        timings.append((name, time.perf_counter() - started, status))
    return timings


def _shopper(email, variant_id, ready: threading.Barrier, done, waits: list, failures: list):
    """Shop until ``done``, timing each request. A first round before the import starts
    warms up (templates, URL resolver, the connection) and is not measured."""
    from django.db import connection
    from django.test import Client

    try:
        _round(Client(), email, variant_id)
        ready.wait(timeout=60)
        while not done.is_set():
            try:
                timings = _round(Client(), email, variant_id)
            except Exception as error:
                failures.append(f"{type(error).__name__}: {error}")
                continue
            for name, seconds, status in timings:
                waits.append((name, seconds, time.time()))
                if status >= 400:
                    failures.append(f"{name}: HTTP {status}")
            time.sleep(0.02)
    finally:
        connection.close()


def main(var_dir: str, rows: int, shoppers: int) -> dict:
    _setup(var_dir)
    from apps.inventory.models import ImportJob

    skus, variant_id, emails = _shop(rows, shoppers)
    path = Path(var_dir) / "existencias.csv"
    path.write_text(
        "sku,on_hand\n" + "".join(f"{sku},{i % 50 + 1}\n" for i, sku in enumerate(skus))
    )
    done = threading.Event()
    ready = threading.Barrier(len(emails) + 1)
    waits: list = []
    failures: list = []
    threads = [
        threading.Thread(target=_shopper, args=(email, variant_id, ready, done, waits, failures))
        for email in emails
    ]
    for thread in threads:
        thread.start()
    ready.wait(timeout=60)  # every shopper has warmed up
    started = time.perf_counter()
    try:
        # As a worker would run it: its own process, at a lower CPU priority than the web
        # (the README's deployment advice), so on a busy machine the shop's requests come first.
        command = ["nice", "-n", "10", sys.executable, str(ROOT / "manage.py"), "import_catalogue"]
        command.append(str(path))
        imported = subprocess.run(  # noqa: S603
            [*command, "--kind", "stock"],
            env=os.environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=900,
            check=False,
        )
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        for thread in threads:
            thread.join(timeout=60)
    job = ImportJob.objects.get()
    return {
        "command": imported.returncode,
        "command_errors": imported.stderr[-2000:],
        "status": job.status,
        "rows": job.processed_rows,
        "updated": job.updated_count,
        "seconds": round(elapsed, 2),
        "requests": len(waits),
        "median": round(sorted(w[1] for w in waits)[len(waits) // 2], 3) if waits else None,
        "slowest": sorted((round(wait, 3), name) for name, wait, _at in waits)[-5:],
        "slow_at": sorted(  # (seconds since the job was created, wait, request)
            (round(at - wait - job.created_at.timestamp(), 1), round(wait, 2), name)
            for name, wait, at in waits
            if wait > 0.5
        ),
        "import_pass_started": round(job.started_at.timestamp() - job.created_at.timestamp(), 1),
        "failures": failures[:20],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
