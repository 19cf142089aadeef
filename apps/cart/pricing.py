"""The pricing rules of a cart, as pure functions on Decimals.

Prices are VAT included. The one rounding rule: a line total is unit price ×
quantity (exact: prices have cents); the discount arrives already rounded from
the coupons app; shipping is a configured amount; the VAT contained in the
total is ``total - total / (1 + rate)`` rounded half-up to cents once, here, by
``apps.core.money.money``. Nothing else rounds, so no cent is created or lost.
"""

import dataclasses
from decimal import Decimal

from apps.core.money import ZERO, money


@dataclasses.dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    total: Decimal
    tax: Decimal


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    return money(unit_price * quantity)


def totals(
    *,
    line_totals: list[Decimal],
    discount: Decimal = ZERO,
    free_shipping: bool = False,
    shipping_flat: Decimal,
    free_shipping_over: Decimal | None,
    vat_rate: Decimal,
) -> Totals:
    """``free_shipping_over`` None: the shipping is charged whatever the amount (express)."""
    subtotal = sum(line_totals, ZERO)
    discount = min(max(discount, ZERO), subtotal)
    goods = subtotal - discount
    if (
        subtotal == ZERO
        or free_shipping
        or (free_shipping_over is not None and goods >= free_shipping_over)
    ):
        shipping = ZERO
    else:
        shipping = shipping_flat
    total = goods + shipping
    tax = money(total - total / (1 + vat_rate))
    return Totals(
        subtotal=money(subtotal),
        discount=money(discount),
        shipping=money(shipping),
        total=money(total),
        tax=tax,
    )
