"""Money is Decimal, in euros, rounded half-up to the cent at one place: ``money()``.

The warehouse stores money as integer cents (SQLite has no decimal type);
``to_cents`` and ``from_cents`` are the only crossings.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """Round a Decimal amount half-up to cents. Floats are refused: they are not money."""
    if isinstance(value, float):
        raise TypeError("money() does not take floats; pass a Decimal, int or str")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: Decimal) -> int:
    return int(money(value) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)
