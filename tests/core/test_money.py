from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from apps.core.money import MoneyStyle, from_cents, money, money_format, money_style, to_cents


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
