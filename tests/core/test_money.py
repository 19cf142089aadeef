from decimal import Decimal

import pytest

from apps.core.money import from_cents, money, to_cents


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
