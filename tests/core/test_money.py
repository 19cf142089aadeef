import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation

from apps.core.money import (
    MoneyStyle,
    from_cents,
    money,
    money_format,
    money_style,
    money_sum,
    money_total,
    to_cents,
)


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
    """``quantize`` rounds half-even unless told otherwise. Money goes through money();
    anything else that rounds (a percentage, days of cover, the ETL's cents, which may not
    import the kernel) says ROUND_HALF_UP in the call itself."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("apps", "etl", "electropluz"):
        for path in (root / folder).rglob("*.py"):
            if path == root / "apps" / "core" / "money.py":
                continue
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"\.quantize\(", text):
                call = text[match.end() : match.end() + 160]  # the call's arguments
                if "ROUND_HALF_UP" not in call:
                    line = text.count("\n", 0, match.start()) + 1
                    offenders.append(f"{path.relative_to(root)}:{line}")
    assert offenders == []


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        ("1299.99", "es", "1.299,99\u00a0€"),
        ("268.675", "es", "268,68\u00a0€"),  # half-up to cents first
        ("50", "es", "50,00\u00a0€"),
        ("1234567.5", "es", "1.234.567,50\u00a0€"),
        ("-20", "es", "-20,00\u00a0€"),
        ("1299.99", "en", "€1,299.99"),
        ("-20", "en", "-€20.00"),
        ("0", "en", "€0.00"),
        ("1299.99", "en-gb", "€1,299.99"),
        ("1299.99", "fr", "1.299,99\u00a0€"),  # a language the shop does not speak: Spanish
    ],
)
def test_money_format_writes_amounts_the_way_each_language_reads_them(value, language, expected):
    assert money_format(Decimal(value), language=language) == expected


def test_money_format_follows_the_active_language_and_can_drop_the_cents():
    with translation.override("en"):
        assert money_format(Decimal("7000")) == "€7,000.00"
        assert money_format(Decimal("7000"), decimals=0) == "€7,000"
    with translation.override("es"):
        assert money_format(Decimal("7000"), decimals=0) == "7.000\u00a0€"
        assert money_style() == MoneyStyle(thousands=".", decimal=",", pattern="{amount}\u00a0€")


def test_the_template_filter_is_the_same_formatter():
    template = engines["django"].from_string("{% load shop %}{{ amount|money }}")
    with translation.override("es"):
        assert template.render({"amount": Decimal("1299.99")}) == "1.299,99\u00a0€"
    with translation.override("en"):
        assert template.render({"amount": Decimal("1299.99")}) == "€1,299.99"
    assert template.render({"amount": None}) == ""
