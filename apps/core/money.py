"""Money is Decimal, in euros, rounded half-up to the cent at one place: ``money()``.

The warehouse stores money as integer cents (SQLite has no decimal type);
``to_cents`` and ``from_cents`` are the only crossings.

Sums in the database go through ``money_sum``: SQLite keeps a decimal column as a float
and sums floats (2826795472.439999 for ...472.44), so each amount is summed as its whole
number of cents, which every database adds exactly.
"""

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, F, Sum
from django.db.models.functions import Cast, Round
from django.utils import translation

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


# --- Showing money to people -----------------------------------------------------------
# One formatter for every amount a person reads: pages (the ``money`` template filter),
# e-mails, messages, chart axes (``money_style`` hands the same rules to the browser) and
# exports meant for people. Machine formats (the API, re-importable CSV) keep plain numbers.


@dataclasses.dataclass(frozen=True)
class MoneyStyle:
    thousands: str
    decimal: str
    pattern: str  # where the number goes: "{amount} €" or "€{amount}"


NBSP = "\u00a0"
MONEY_STYLES = {
    "es": MoneyStyle(thousands=".", decimal=",", pattern="{amount}" + NBSP + "€"),
    "en": MoneyStyle(thousands=",", decimal=".", pattern="€{amount}"),
}


def money_style(language: str | None = None) -> MoneyStyle:
    """The rules for ``language`` (default: the active one); Spanish when it is unknown."""
    code = (language or translation.get_language() or "es").split("-")[0].lower()
    return MONEY_STYLES.get(code, MONEY_STYLES["es"])


def money_format(
    value: Decimal | int | str, *, language: str | None = None, decimals: int = 2
) -> str:
    """1299.99 -> '1.299,99 €' in Spanish, '€1,299.99' in English (half-up to cents first).

    ``decimals=0`` gives whole euros (a chart axis: '7.000 €').
    """
    style = money_style(language)
    amount = money(value)
    if decimals == 0:
        amount = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    whole, _, cents = f"{abs(amount):.{decimals}f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", style.thousands)
    number = f"{grouped}{style.decimal}{cents}" if cents else grouped
    sign = "-" if amount < 0 else ""
    return sign + style.pattern.format(amount=number)
