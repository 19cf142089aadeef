"""Money is Decimal, in euros, rounded half-up to the cent at one place: ``money()``.

The warehouse stores money as integer cents (SQLite has no decimal type);
``to_cents`` and ``from_cents`` are the only crossings.

Sums in the database go through ``money_sum``: SQLite keeps a decimal column as a float
and sums floats (2826795472.439999 for ...472.44), so each amount is summed as its whole
number of cents, which every database adds exactly.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, F, Sum
from django.db.models.functions import Cast, Round

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
    return money(Decimal(cents) / 100)


def money_sum(field: str, **kwargs) -> Sum:
    """``Sum`` of a money column in integer cents (exact on every database); read the
    result with ``money_total``. ``kwargs`` go to ``Sum`` (``filter=``)."""
    cents = Cast(Round(F(field) * 100), output_field=BigIntegerField())
    return Sum(cents, output_field=BigIntegerField(), **kwargs)


def money_total(cents: int | None) -> Decimal:
    """The euros of a ``money_sum`` (0.00 when nothing was summed)."""
    return from_cents(cents or 0)
