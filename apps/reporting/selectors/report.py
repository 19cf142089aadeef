"""What a dashboard shows, as data: cards, and tables whose numbers also feed the charts and
the exports. A page, its CSV/XLSX export and its API answer are the same Report."""

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from apps.core.money import money

from .periods import Period

PCT = Decimal("0.1")


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, money, int, pct, days, heat


@dataclasses.dataclass(frozen=True)
class Chart:
    kind: str  # bar, line
    label_column: int  # the column holding the labels
    value_columns: tuple[int, ...]  # the columns drawn
    compare: tuple | None = None  # (label, values) of the comparison period, drawn dashed


@dataclasses.dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    total: list | None = None
    chart: Chart | None = None
    note: str = ""
    levels: list[list[int]] | None = None  # heat maps: a colour level 0-5 per cell

    def sum(self, key: str):
        index = [c.key for c in self.columns].index(key)
        return sum((row[index] or 0) for row in self.rows)


@dataclasses.dataclass(frozen=True)
class Card:
    key: str
    label: str
    kind: str  # money, int, pct
    value: Decimal | int | None  # None: no data
    compare: Decimal | int | None = None
    change: Decimal | None = None  # percent against the comparison
    year: Decimal | int | None = None  # the same period last year (home)
    year_change: Decimal | None = None
    spark: tuple = ()
    note: str = ""


@dataclasses.dataclass
class Report:
    key: str
    title: str
    period: Period
    cards: list[Card]
    tables: list[Table]
    notes: list[str] = dataclasses.field(default_factory=list)
    groups: list[tuple[str, list[Card]]] = dataclasses.field(default_factory=list)
    extra: dict = dataclasses.field(default_factory=dict)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def change(value, before) -> Decimal | None:
    """The percent change from ``before`` to ``value`` (None when there is nothing to
    compare with: no data, or zero before)."""
    if value is None or before is None or not before:
        return None
    return ((Decimal(value) - Decimal(before)) * 100 / abs(Decimal(before))).quantize(
        PCT, rounding=ROUND_HALF_UP
    )


def ratio(part, whole) -> Decimal | None:
    """``part`` over ``whole`` in percent to one decimal (None when ``whole`` is zero)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PCT, rounding=ROUND_HALF_UP)


def card(key, label, kind, value, compare=None, **extra) -> Card:
    return Card(key, label, kind, value, compare, change(value, compare), **extra)


def average(total: Decimal, count: int) -> Decimal:
    return money(total / count) if count else money(0)


def bucket(day: date, grain: str) -> date:
    """The first day of the week (Monday) or month a day falls in."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def buckets(since: date, until: date, grain: str) -> list[date]:
    """Every bucket of ``[since, until]``, in order (days without sales included)."""
    found, day = [], since
    while day <= until:
        start = bucket(day, grain)
        if not found or found[-1] != start:
            found.append(start)
        day += timedelta(days=1)
    return found


MONEY_FIELDS = {"gross", "discounts", "shipping", "refunds", "net", "average_ticket"}


def zero_of(field: str):
    return Decimal("0.00") if field in MONEY_FIELDS else 0


def daily_values(rows: Iterable, since: date, until: date, field: str) -> list:
    """One value per day of ``[since, until]`` (zero for days without a row)."""
    by_day = {row.day: getattr(row, field) for row in rows}
    zero = zero_of(field)
    return [by_day.get(since + timedelta(days=i), zero) for i in range((until - since).days + 1)]


def sum_field(rows: Iterable, field: str, since: date | None = None, until: date | None = None):
    values = [
        getattr(row, field)
        for row in rows
        if (since is None or row.day >= since) and (until is None or row.day <= until)
    ]
    return sum(values, zero_of(field))
