"""A golden dataset whose KPIs were worked out by hand → the warehouse matches to the cent.

Prices include VAT; shipping is 4.99 under 50 € (after the discount), free from there.
P1 "Portátil" 100.00 € (Portátiles, Zenit), P2 "Ratón" 20.00 € (Accesorios, no brand).

| order | shop time (Madrid)   | UTC               | customer | what                               | total  |
|-------|----------------------|-------------------|----------|------------------------------------|--------|
| O1    | 29 Mar 2025 23:30    | 29 Mar 22:30      | A        | P2×1 + 4.99 shipping               | 24.99  |
| O2    | 30 Mar 2025 00:30 (*)| 29 Mar 23:30      | B        | P1×1                               | 100.00 |
| O3    | 30 Mar 2025 23:30 (*)| 30 Mar 21:30      | B        | P1×1 + P2×2, coupon 10 % (−14.00)  | 126.00 |
| O4    | 31 Mar 2025 00:30    | 30 Mar 22:30      | C        | P2×1 by transfer, cancelled unpaid | (24.99)|
| O5    | 31 Mar 2025 10:00    | 31 Mar 08:00      | A        | P1×2; 50.00 refunded 7 Apr 12:00   | 200.00 |
| O6    | 26 Oct 2025 00:30 (*)| 25 Oct 22:30      | C        | P2×1 + 4.99, to Barcelona          | 24.99  |
| O7    | 26 Oct 2025 23:30 (*)| 26 Oct 22:30      | D        | P2×3                               | 60.00  |

(*) 30 March and 26 October 2025 are the DST change days (23 and 25 hours long).
"""

from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.coupons import services as coupons_services
from apps.sales import selectors as sales_selectors
from etl import selectors
from etl.models import AggDailySales, FactRefund, FactSaleLine, Reconciliation, Run
from tests.etl.conftest import WAREHOUSE, at, etl_at

pytestmark = [pytest.mark.django_db(databases=WAREHOUSE), pytest.mark.usefixtures("etl_path")]

# date: gross, discounts, shipping, refunds, net, orders, units, average ticket,
#       new customers, returning customers, orders placed, orders cancelled (cents)
EXPECTED = {
    20250329: (2000, 0, 499, 0, 2499, 1, 1, 2499, 1, 0, 1, 0),
    20250330: (24000, 1400, 0, 0, 22600, 2, 4, 11300, 1, 0, 2, 0),
    20250331: (20000, 0, 0, 0, 20000, 1, 2, 20000, 0, 1, 2, 1),
    20250407: (0, 0, 0, 5000, -5000, 0, 0, 0, 0, 0, 0, 0),
    20251026: (8000, 0, 499, 0, 8499, 2, 4, 4250, 2, 0, 2, 0),
}
FIELDS = (
    "gross_cents", "discount_cents", "shipping_cents", "refund_cents", "net_cents", "orders",
    "units", "average_ticket_cents", "new_customers", "returning_customers", "orders_placed",
    "orders_cancelled",
)  # fmt: skip


@pytest.fixture
def golden(shop, categories):
    laptops, accessories, zenit = categories
    with __import__("time_machine").travel(at(2025, 3, 1, 9, 0), tick=False):
        p1 = shop.variant(name="Portátil", price="100.00", category=laptops, brand=zenit)
        p2 = shop.variant(name="Ratón", price="20.00", category=accessories)
        a, b, c, d = (shop.customer() for _ in range(4))
        coupons_services.coupon_create(code="GOLDEN10", kind="percentage", value="10")
    numbers = {
        "O1": shop.order(at(2025, 3, 29, 23, 30), a, [(p2, 1)]),
        "O2": shop.order(at(2025, 3, 30, 0, 30), b, [(p1, 1)]),
        "O3": shop.order(at(2025, 3, 30, 23, 30), b, [(p1, 1), (p2, 2)], coupon="GOLDEN10"),
        "O4": shop.order(at(2025, 3, 31, 0, 30), c, [(p2, 1)], method="transfer"),
        "O5": shop.order(at(2025, 3, 31, 10, 0), a, [(p1, 2)]),
        "O6": shop.order(at(2025, 10, 26, 0, 30), c, [(p2, 1)], postal="08001"),
        "O7": shop.order(at(2025, 10, 26, 23, 30), d, [(p2, 3)]),
    }
    shop.cancel(at(2025, 3, 31, 9, 0), numbers["O4"], c)
    shop.refund(at(2025, 4, 7, 12, 0), numbers["O5"], "50.00")
    return numbers


def _daily():
    rows = AggDailySales.objects.using("warehouse").order_by("date_key")
    return {row.date_key: tuple(getattr(row, f) for f in FIELDS) for row in rows}


def test_the_warehouse_equals_the_hand_computed_kpis_to_the_cent(golden):
    runs = etl_at(at(2025, 11, 1, 8, 0))
    assert [r.status for r in runs] == ["succeeded"] * 3
    assert _daily() == EXPECTED


def test_every_day_reconciles_with_the_ledger(golden):
    etl_at(at(2025, 11, 1, 8, 0))
    rows = Reconciliation.objects.using("warehouse").order_by("date_key")
    assert {r.date_key: (r.status, r.ledger_net_cents, r.warehouse_net_cents) for r in rows} == {
        day: ("ok", values[4], values[4]) for day, values in EXPECTED.items()
    }


def test_product_category_order_and_ledger_totals_agree(golden):
    etl_at(at(2025, 11, 1, 8, 0))
    ledger = sales_selectors.ledger_totals()["ledger"]
    assert ledger == Decimal("485.98")
    since, until = at(2025, 1, 1).date(), at(2025, 12, 31).date()
    for dimension in ("product", "category", "brand", "payment_method", "province"):
        rows = selectors.sales_by_dimension(dimension=dimension, since=since, until=until)
        assert sum(row.net for row in rows) == ledger, dimension
    by_product = {
        r.label: r.net
        for r in selectors.sales_by_dimension(dimension="product", since=since, until=until)
    }
    assert by_product == {"Portátil": Decimal("340.00"), "Ratón": Decimal("145.98")}
    by_province = {
        r.member: r.net
        for r in selectors.sales_by_dimension(dimension="province", since=since, until=until)
    }
    assert by_province == {"28": Decimal("460.99"), "08": Decimal("24.99")}
    coupon = selectors.sales_by_dimension(dimension="coupon", since=since, until=until)
    assert [(c.member, c.gross, c.discounts, c.net, c.orders) for c in coupon] == [
        ("GOLDEN10", Decimal("140.00"), Decimal("14.00"), Decimal("126.00"), 1)
    ]
    # By order: each order's lines and refunds add up to what it kept.
    lines = FactSaleLine.objects.using("warehouse").exclude(paid_date_key=None)
    sales = dict(lines.values_list("order_number").annotate(Sum("net_cents")))
    refunds = dict(
        FactRefund.objects.using("warehouse").values_list("order_id").annotate(Sum("amount_cents"))
    )
    assert sum(sales.values()) + sum(refunds.values()) == 48598
    assert sales[golden["O3"]] == 12600 and sum(refunds.values()) == -5000


def test_the_refund_counts_on_the_day_it_was_paid_and_lowers_that_day_only(golden):
    etl_at(at(2025, 11, 1, 8, 0))
    refund = FactRefund.objects.using("warehouse").get()
    assert (refund.date_key, refund.amount_cents) == (20250407, -5000)
    kpis = selectors.daily_kpis(since=at(2025, 4, 7).date(), until=at(2025, 4, 7).date())
    assert [(k.refunds, k.net) for k in kpis] == [(Decimal("50.00"), Decimal("-50.00"))]


def test_incremental_runs_over_time_give_the_same_warehouse_as_one_full_run(shop, golden):
    # Run after each stretch of history, as the schedule would; then compare with one run.
    for moment in (at(2025, 3, 30, 12, 0), at(2025, 4, 1, 0, 0), at(2025, 5, 1), at(2025, 11, 1)):
        etl_at(moment)
    assert _daily() == EXPECTED
    assert Run.objects.using("warehouse").filter(status="succeeded").count() == 12
