from decimal import Decimal
from pathlib import Path

import pytest

from apps.core.money import from_cents, money, money_sum, money_total, to_cents


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("0.015", "0.02"), ("2.675", "2.68"), ("-0.005", "-0.01"), (3, "3.00")],
)
def test_money_rounds_half_up_to_cents(value, expected):
    assert money(Decimal(value) if isinstance(value, str) else value) == Decimal(expected)


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        money(0.1)


def test_cents_round_trip():
    assert to_cents(Decimal("1299.99")) == 129999
    assert from_cents(129999) == Decimal("1299.99")


@pytest.mark.django_db
def test_money_sums_are_exact_where_sqlite_sums_floats():
    """SQLite sums a decimal column as floats: 1,000 x 9,999,999,999.99 came to ...990.18."""
    from apps.coupons import selectors as coupons_selectors
    from apps.coupons.models import CouponRedemption
    from tests.coupons.factories import make_coupon

    coupon_id = make_coupon()
    CouponRedemption.objects.bulk_create(
        CouponRedemption(
            coupon_id=coupon_id,
            order_reference=f"EP-{i}",
            discount=Decimal("0.01"),
            order_total=Decimal("9999999999.99"),
        )
        for i in range(1000)
    )
    [row] = coupons_selectors.coupon_usage_report(coupon_id=coupon_id)
    assert row.revenue == Decimal("9999999999990.00")
    assert row.discount_total == Decimal("10.00")
    total = CouponRedemption.objects.aggregate(total=money_sum("order_total"))["total"]
    assert money_total(total) == Decimal("9999999999990.00")
    assert money_total(None) == Decimal("0.00")


def test_from_cents_is_exact():
    assert from_cents(-1) == Decimal("-0.01")
    assert from_cents(1013) == Decimal("10.13")


def test_money_is_rounded_in_one_place_only():
    """``quantize`` rounds half-even unless told otherwise: only money() may call it."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for folder in ("apps", "etl", "electropluz")
        for path in (root / folder).rglob("*.py")
        if ".quantize(" in path.read_text(encoding="utf-8")
        and path != root / "apps" / "core" / "money.py"
    ]
    assert offenders == []
