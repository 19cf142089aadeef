"""The pricing invariants, for every cart hypothesis can think of."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from apps.cart import pricing

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
lines = st.lists(st.tuples(prices, st.integers(min_value=1, max_value=10)), max_size=12)
RULES = {
    "shipping_flat": Decimal("4.99"),
    "free_shipping_over": Decimal("50.00"),
    "vat_rate": Decimal("0.21"),
}


@given(
    lines=lines,
    discount=st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2),
    free=st.booleans(),
)
def test_totals_invariants(lines, discount, free):
    line_totals = [pricing.line_total(price, quantity) for price, quantity in lines]
    totals = pricing.totals(line_totals=line_totals, discount=discount, free_shipping=free, **RULES)
    # The lines add up to the subtotal, to the cent.
    assert totals.subtotal == sum(line_totals, Decimal("0"))
    # The discount never exceeds what it applies to; the total is never negative.
    assert Decimal("0") <= totals.discount <= totals.subtotal
    assert totals.total >= 0
    # Every amount is in cents.
    for amount in (totals.subtotal, totals.discount, totals.shipping, totals.total, totals.tax):
        assert amount == amount.quantize(Decimal("0.01"))
    # Nothing is created or lost between the parts.
    assert totals.total == totals.subtotal - totals.discount + totals.shipping
    # The VAT inside the total is the rate's share, within half a cent.
    assert abs(totals.tax - (totals.total - totals.total / Decimal("1.21"))) <= Decimal("0.005")


@given(lines=lines)
def test_line_totals_are_exact(lines):
    for price, quantity in lines:
        assert pricing.line_total(price, quantity) == price * quantity


def test_shipping_is_flat_below_the_threshold_and_free_above():
    below = pricing.totals(line_totals=[Decimal("49.99")], **RULES)
    assert below.shipping == Decimal("4.99") and below.total == Decimal("54.98")
    at = pricing.totals(line_totals=[Decimal("50.00")], **RULES)
    assert at.shipping == Decimal("0.00")
    # The threshold looks at what is paid for the goods, after the discount.
    discounted = pricing.totals(line_totals=[Decimal("60.00")], discount=Decimal("15.00"), **RULES)
    assert discounted.shipping == Decimal("4.99")
    assert pricing.totals(line_totals=[], **RULES).total == Decimal("0.00")


def test_vat_is_the_share_contained_in_the_total():
    totals = pricing.totals(line_totals=[Decimal("121.00")], **RULES)
    assert totals.tax == Decimal("21.00")
