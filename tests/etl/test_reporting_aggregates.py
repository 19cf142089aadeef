"""The aggregates the dashboards read besides the daily KPIs, on the golden dataset
(see ``test_golden``): orders by shop-local hour, customers' histories, stock by product."""

from datetime import date
from decimal import Decimal

import pytest

from etl import selectors, services
from etl.models import AggCustomer, AggDailyStock, AggHourlyOrders
from tests.etl import test_golden
from tests.etl.conftest import WAREHOUSE, at, etl_at

EXPECTED = test_golden.EXPECTED
golden = test_golden.golden  # the fixture

pytestmark = pytest.mark.django_db(databases=WAREHOUSE)


def test_orders_by_shop_hour_add_up_to_the_orders_placed_each_day(golden):
    etl_at(at(2025, 11, 1, 8, 0))
    rows = AggHourlyOrders.objects.using("warehouse").order_by("date_key", "hour")
    assert [(r.date_key, r.weekday, r.hour, r.orders) for r in rows] == [
        (20250329, 6, 23, 1),  # O1, Saturday 23:30
        (20250330, 7, 0, 1),  # O2, DST Sunday 00:30 (23:30 UTC the day before)
        (20250330, 7, 23, 1),  # O3
        (20250331, 1, 0, 1),  # O4 (cancelled: still placed)
        (20250331, 1, 10, 1),  # O5
        (20251026, 7, 0, 1),  # O6, DST Sunday 00:30
        (20251026, 7, 23, 1),  # O7
    ]
    for day, values in EXPECTED.items():
        placed = sum(r.orders for r in rows if r.date_key == day)
        assert placed == values[10], day
    heat = selectors.orders_by_weekday_hour(since=date(2025, 1, 1), until=date(2025, 12, 31))
    assert heat == {(6, 23): 1, (7, 0): 2, (7, 23): 2, (1, 0): 1, (1, 10): 1}


def test_customers_histories_deduct_refunds_and_give_the_repeat_rate(golden):
    etl_at(at(2025, 11, 1, 8, 0))
    rows = AggCustomer.objects.using("warehouse").order_by("first_date_key", "customer_id")
    assert [(r.first_date_key, r.last_date_key, r.orders, r.units, r.net_cents) for r in rows] == [
        (20250329, 20250331, 2, 3, 17499),  # A: O1 + O5, 50.00 refunded
        (20250330, 20250330, 2, 4, 22600),  # B: O2 + O3
        (20251026, 20251026, 1, 1, 2499),  # C: O6 (O4 never paid)
        (20251026, 20251026, 1, 3, 6000),  # D: O7
    ]
    assert sum(r.net_cents for r in rows) == 48598  # the ledger
    assert selectors.customer_cohort(since=date(2025, 3, 1), until=date(2025, 3, 31)) == (2, 2)
    assert selectors.customer_cohort(since=date(2025, 1, 1), until=date(2025, 12, 31)) == (4, 2)
    top = selectors.top_customers(limit=2)
    assert [(t.net, t.orders) for t in top] == [(Decimal("226.00"), 2), (Decimal("174.99"), 2)]
    assert all(t.label.startswith("C-") and "@" not in t.label for t in top)


def test_an_incremental_run_recomputes_a_customer_refunded_later(shop, golden):
    etl_at(at(2025, 4, 1))  # O5 changed on 7 April (its refund): not read yet
    first = AggCustomer.objects.using("warehouse").order_by("first_date_key").first()
    assert (first.orders, first.net_cents) == (1, 2499)
    etl_at(at(2025, 4, 8))
    first.refresh_from_db()
    assert (first.orders, first.net_cents) == (2, 17499)


def test_stock_by_product_is_the_days_snapshot_at_cost(golden):
    etl_at(at(2025, 11, 1, 8, 0))
    rows = AggDailyStock.objects.using("warehouse").order_by("product_id")
    assert {r.date_key for r in rows} == {20251101}
    day, stock = selectors.stock_by_product(day=date(2025, 11, 30))
    assert day == date(2025, 11, 1)
    by_name = {s.name: (s.on_hand, s.value, s.variants_out) for s in stock}
    # 100 received of each at a cost of 700.00; sold: Portátil 1 + 1 + 2 (the refund
    # returned no stock), Ratón 1 + 2 + 1 + 3 (O4 was cancelled: its unit came back)
    assert by_name == {
        "Portátil": (96, Decimal("67200.00"), 0),
        "Ratón": (93, Decimal("65100.00"), 0),
    }
    assert selectors.stock_by_product(day=date(2025, 10, 31)) == (None, [])


def test_the_new_aggregates_are_identical_after_a_rerun(golden):
    etl_at(at(2025, 11, 1, 8, 0))
    first = services.warehouse_checksums(include_run=False, aggregates=True)
    etl_at(at(2025, 11, 1, 8, 10), full=True)
    assert services.warehouse_checksums(include_run=False, aggregates=True) == first
