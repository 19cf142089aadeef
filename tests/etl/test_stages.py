"""The pure stages: cleaning rules, day cutting in the shop's zone, validation, shaping."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apps.sales.selectors import OrderBatch
from etl.pipeline import clean, sales
from etl.pipeline.provinces import province_code

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2025, 3, 29, 22, 30, tzinfo=UTC), 20250329),  # 23:30 CET
        (datetime(2025, 3, 29, 23, 30, tzinfo=UTC), 20250330),  # 00:30 CET, DST day
        (datetime(2025, 3, 30, 21, 30, tzinfo=UTC), 20250330),  # 23:30 CEST, DST day
        (datetime(2025, 3, 30, 22, 30, tzinfo=UTC), 20250331),  # 00:30 CEST
        (datetime(2025, 3, 31, 21, 30, tzinfo=UTC), 20250331),  # 23:30 on 31 March
        (datetime(2025, 10, 25, 22, 30, tzinfo=UTC), 20251026),  # 00:30 CEST, DST day
        (datetime(2025, 10, 26, 22, 30, tzinfo=UTC), 20251026),  # 23:30 CET, DST day
        (datetime(2025, 10, 26, 23, 30, tzinfo=UTC), 20251027),
    ],
)
def test_days_are_cut_in_the_shop_time_zone(moment, day):
    assert clean.date_key(moment) == day


def test_dst_days_are_23_and_25_hours_long():
    spring = clean.day_start(date(2025, 3, 31)) - clean.day_start(date(2025, 3, 30))
    autumn = clean.day_start(date(2025, 10, 27)) - clean.day_start(date(2025, 10, 26))
    assert (spring.total_seconds(), autumn.total_seconds()) == (23 * 3600, 25 * 3600)


def test_days_follow_the_setting(settings):
    settings.SHOP_TIME_ZONE = "America/New_York"
    assert clean.date_key(datetime(2025, 3, 31, 2, 0, tzinfo=UTC)) == 20250330


@pytest.mark.parametrize(
    ("value", "cents"),
    [("10.00", 1000), (Decimal("0.005"), 1), ("-0.005", -1), (3, 300), (" 4.99 ", 499)],
)
def test_money_becomes_whole_cents_half_up(value, cents):
    assert clean.cents(value) == cents


@pytest.mark.parametrize("value", [None, 1.5, "abc", "NaN", "Infinity", ""])
def test_what_is_not_an_amount_is_refused(value):
    with pytest.raises(clean.BadValue):
        clean.cents(value)


def test_allocation_adds_up_exactly_and_follows_the_weights():
    assert clean.allocate(1000, [1, 1, 1]) == [334, 333, 333]
    assert clean.allocate(-5000, [10000, 2000]) == [-4167, -833]
    assert clean.allocate(499, [0, 0]) == [250, 249]
    assert sum(clean.allocate(12345, [7, 11, 13, 17])) == 12345


def test_text_e_mail_and_province_are_normalised():
    assert clean.text("  Portátil   Zenit\t15 ") == "Portátil Zenit 15"
    assert clean.email(" Ana.Martin@Example.COM ") == "ana.martin@example.com"
    assert clean.email_hash("A@B.es") == clean.email_hash(" a@b.ES")
    assert province_code(postal_code="08001", name="") == "08"
    assert province_code(postal_code="", name="La Coruña") == "15"
    assert province_code(postal_code="", name="  illes balears ") == "07"
    assert province_code(postal_code="x", name="Atlántida") == "00"
    assert province_code(postal_code="75001", name="Paris", country="FR") == "99"


def _order(**changes):
    order = {
        "id": 1, "number": "EP-2025-000001", "customer_id": 7, "status": "paid",
        "payment_method": "card", "ship_postal_code": "28013", "ship_province": "Madrid",
        "ship_country": "ES", "subtotal": Decimal("40.00"), "discount": Decimal("0.00"),
        "shipping": Decimal("4.99"), "total": Decimal("44.99"), "refunded": Decimal("0.00"),
        "coupon_code": "", "created_at": datetime(2025, 5, 1, 10, tzinfo=UTC),
        "updated_at": datetime(2025, 5, 1, 10, tzinfo=UTC),
        "paid_at": datetime(2025, 5, 1, 10, tzinfo=UTC),
    }  # fmt: skip
    return {**order, **changes}


def _line(line_id=10, **changes):
    line = {
        "id": line_id, "order_id": 1, "variant_id": 3, "product_id": 2, "sku": "S",
        "unit_price": Decimal("20.00"), "quantity": 1, "line_total": Decimal("20.00"),
        "discount": Decimal("0.00"), "refunded_quantity": 0,
    }  # fmt: skip
    return {**line, **changes}


def _batch(orders, lines, refunds=()):
    return OrderBatch(orders=orders, lines=lines, payments=[], refunds=list(refunds), ledger=[])


def test_a_clean_order_becomes_lines_that_add_up_to_its_total():
    rows = sales.transform(_batch([_order()], [_line(10), _line(11)]), known_variants={3}, now=NOW)
    assert not rows.problems and rows.loaded_orders == {1}
    assert sum(row[18] for row in rows.sale_lines) == 4499  # net cents
    assert [row[17] for row in rows.sale_lines] == [250, 249]  # shipping shared


@pytest.mark.parametrize(
    ("order", "lines", "reasons"),
    [
        (_order(), [_line(10, quantity=-1), _line(11)], ["negative_quantity"]),
        (_order(), [_line(10, quantity=None), _line(11)], ["missing_value"]),
        (_order(), [_line(10, variant_id=99), _line(11)], ["unknown_product"]),
        (_order(), [_line(10, line_total=Decimal("21.00")), _line(11)], ["bad_amount"]),
        (_order(), [_line(10, unit_price=None), _line(11)], ["bad_amount"]),
        (_order(total=Decimal("50.00")), [_line(10), _line(11)], ["bad_amount"]),
        (_order(subtotal=Decimal("30.00")), [_line(10), _line(11)], ["lines_mismatch"]),
        (_order(number=""), [_line(10), _line(11)], ["missing_key"]),
        (_order(customer_id=None), [_line(10), _line(11)], ["missing_key"]),
        (
            _order(created_at=datetime(2031, 1, 1, tzinfo=UTC)),
            [_line(), _line(11)],
            ["impossible_date"],
        ),
        (_order(created_at=None), [_line(10), _line(11)], ["impossible_date"]),
        (
            _order(paid_at=datetime(2025, 4, 1, tzinfo=UTC)),
            [_line(10), _line(11)],
            ["impossible_date"],
        ),
        (_order(), [], ["no_lines"]),
    ],
)
def test_a_broken_order_is_quarantined_whole_with_its_reason(order, lines, reasons):
    rows = sales.transform(_batch([order], lines), known_variants={3}, now=NOW)
    assert [problem.reason for problem in rows.problems] == reasons
    assert rows.quarantined_orders == {1} and not rows.sale_lines
    assert all(problem.entity_id == 1 for problem in rows.problems)


def test_duplicates_are_removed_and_counted():
    rows = sales.transform(
        _batch([_order(), _order()], [_line(10), _line(11), _line(11)]), known_variants={3}, now=NOW
    )
    assert rows.deduplicated == 2 and len(rows.sale_lines) == 2


def test_a_paid_refund_is_shared_over_the_lines_dated_when_paid():
    refund = {
        "id": 5, "order_id": 1, "amount": Decimal("10.00"), "status": "succeeded",
        "created_at": datetime(2025, 5, 3, tzinfo=UTC),
        "completed_at": datetime(2025, 5, 3, 22, 30, tzinfo=UTC),
    }  # fmt: skip
    pending = {**refund, "id": 6, "status": "pending", "completed_at": None}
    rows = sales.transform(
        _batch([_order()], [_line(10), _line(11)], [refund, pending]), known_variants={3}, now=NOW
    )
    assert [(row[6], row[10]) for row in rows.refunds] == [(20250504, -500), (20250504, -500)]
