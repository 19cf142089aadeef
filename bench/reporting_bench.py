"""Benchmark of the reporting dashboards on a large warehouse: prints p50/p95 per page.

    python bench/reporting_bench.py [--products 10000] [--per-day 1400] [--rounds 20]
                                    [--warehouse-url postgres://…]

It builds a throw-away shop (SQLite in a temporary folder, deleted at the end) and a
warehouse (the same folder, or ``--warehouse-url``: PostgreSQL is what production runs),
and loads the warehouse directly with synthetic aggregate rows for two years: the daily
KPIs, ``--per-day`` product rows a day (about a million order lines' worth of history over
two years at the default) with their categories, brands, payment methods, coupons and
provinces, orders by hour, customers and a stock snapshot. Then it opens every dashboard
page and report API as a signed-in manager (Django's test client, in this process: the
figures are the view, its queries and its template, without a web server), ``--rounds``
times each, and prints p50/p95 and the query counts. Nothing here asserts: tests never time.
"""

import argparse
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/dashboard/"] + [
    f"/dashboard/informes/{p}/"
    for p in ("ventas", "productos", "cupones", "inventario", "clientes")
]
APIS = [f"/api/v1/reports/{p}" for p in ("home", "sales", "products", "inventory", "customers")]


def _setup(var_dir: str, warehouse_url: str) -> None:
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "DATABASE_URL", "WAREHOUSE_URL", "CELERY_")):
            del os.environ[name]
    os.environ.update(
        {
            "ELECTROPLUZ_VAR_DIR": var_dir,
            "DJANGO_SETTINGS_MODULE": "electropluz.settings.test",  # plain static files
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "CELERY_BROKER_URL": "memory://",
        }
    )
    if warehouse_url:
        os.environ["WAREHOUSE_URL"] = warehouse_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("migrate", database="warehouse", verbosity=0, interactive=False)
    from django.apps import apps

    for model in apps.get_app_config("etl").get_models():  # a reused warehouse starts empty
        model.objects.using("warehouse").all().delete()


def _key(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _load(products: int, per_day: int, today: date) -> None:
    from etl import models as m

    rnd = random.Random(12)  # noqa: S311 (synthetic figures)
    w = "warehouse"
    m.DimCategory.objects.using(w).bulk_create(
        m.DimCategory(category_id=i, name=f"Categoría {i}", slug=f"c{i}", is_active=True, run_id=1)
        for i in range(1, 21)
    )
    m.DimBrand.objects.using(w).bulk_create(
        m.DimBrand(brand_id=i, name=f"Marca {i}", slug=f"b{i}", is_active=True, run_id=1)
        for i in range(1, 51)
    )
    m.DimPaymentMethod.objects.using(w).bulk_create(
        m.DimPaymentMethod(code=c, name=c) for c in ("card", "transfer", "cod")
    )
    m.DimProduct.objects.using(w).bulk_create(
        (
            m.DimProduct(variant_id=i, product_id=i, sku=f"S{i}", name=f"Producto {i}",
                         category_id=i % 20 + 1, brand_id=i % 50 + 1, price_cents=9999,
                         cost_cents=7000, is_active=True, run_id=1)
            for i in range(1, products + 1)
        ),
        batch_size=5000,
    )  # fmt: skip
    daily, dims, hours = [], [], []
    for offset in range(730):
        day = today - timedelta(days=offset)
        key = _key(day)
        orders = rnd.randint(300, 500)
        net = orders * rnd.randint(6000, 9000)
        daily.append(
            m.AggDailySales(date_key=key, gross_cents=net, discount_cents=net // 50,
                            shipping_cents=orders * 100, refund_cents=net // 40, net_cents=net,
                            orders=orders, units=orders * 3, average_ticket_cents=net // orders,
                            new_customers=orders // 3, returning_customers=orders // 2,
                            orders_placed=orders + 10, orders_cancelled=10, run_id=1)
        )  # fmt: skip
        members = [("product", str(rnd.randint(1, products))) for _ in range(per_day)]
        members += [("category", str(i)) for i in range(1, 21)]
        members += [("brand", str(i)) for i in range(1, 51)]
        members += [("payment_method", c) for c in ("card", "transfer", "cod")]
        members += [("province", f"{i:02d}") for i in range(1, 53)]
        members += [("coupon", f"CUPON{i}") for i in range(10)]
        for dimension, member in set(members):
            dims.append(
                m.AggDailyDimension(date_key=key, dimension=dimension, member=member,
                                    gross_cents=9999, discount_cents=100, shipping_cents=50,
                                    refund_cents=0, net_cents=9949, orders=1, units=1, run_id=1)
            )  # fmt: skip
        hours += [
            m.AggHourlyOrders(date_key=key, weekday=day.isoweekday(), hour=h, orders=orders // 24,
                              run_id=1)
            for h in range(24)
        ]  # fmt: skip
        if len(dims) > 50_000:
            m.AggDailyDimension.objects.using(w).bulk_create(dims, batch_size=5000)
            dims = []
    m.AggDailyDimension.objects.using(w).bulk_create(dims, batch_size=5000)
    m.AggDailySales.objects.using(w).bulk_create(daily, batch_size=5000)
    m.AggHourlyOrders.objects.using(w).bulk_create(hours, batch_size=5000)
    m.AggDailyStock.objects.using(w).bulk_create(
        (
            m.AggDailyStock(date_key=_key(today), product_id=i, category_id=i % 20 + 1,
                            on_hand=i % 40, value_cents=(i % 40) * 7000, variants=1,
                            variants_out=int(i % 40 == 0), run_id=1)
            for i in range(1, products + 1)
        ),
        batch_size=5000,
    )  # fmt: skip
    m.AggCustomer.objects.using(w).bulk_create(
        (
            m.AggCustomer(customer_id=i, first_date_key=_key(today - timedelta(days=i % 730)),
                          last_date_key=_key(today), orders=1 + i % 4, units=3,
                          net_cents=10000 + i, run_id=1)
            for i in range(1, 100_001)
        ),
        batch_size=5000,
    )  # fmt: skip


def _measure(client, path: str, rounds: int) -> tuple[float, float, int]:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)  # noqa: S101
    with CaptureQueriesContext(connections["warehouse"]) as queries:
        client.get(path)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--per-day", type=int, default=1_400)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warehouse-url", default=os.environ.get("BENCH_WAREHOUSE_URL", ""))
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="ep-reporting-bench-")
    try:
        _setup(var_dir, args.warehouse_url)
        from django.test import Client

        from apps.reporting.selectors import shop_today
        from tests.accounts.factories import UserFactory

        started = time.perf_counter()
        _load(args.products, args.per_day, shop_today())
        print(f"warehouse loaded in {time.perf_counter() - started:.1f} s "
              f"({args.per_day} product rows a day, two years)")  # fmt: skip
        client = Client()
        client.force_login(UserFactory(role="manager"))
        year = {"periodo": "this_year"}
        print(f"{'page':45} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for path in PAGES + APIS:
            p50, p95, count = _measure(
                client, path + "?" + "&".join(f"{k}={v}" for k, v in year.items()), args.rounds
            )
            print(f"{path:45} {p50:8.1f} {p95:8.1f} {count:8d}")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
