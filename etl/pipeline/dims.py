"""Dimensions every source shares: dates, payment methods, provinces, coupons."""

from collections.abc import Iterable
from datetime import date

from apps.coupons import selectors as coupons_selectors

from . import clean, tables
from .load import Writer
from .provinces import PROVINCES

PAYMENT_METHODS = {
    "card": "Tarjeta",
    "transfer": "Transferencia bancaria",
    "cod": "Contra reembolso",
}


def date_row(day: date) -> tuple:
    return (
        clean.day_key(day),
        day,
        day.year,
        (day.month - 1) // 3 + 1,
        day.month,
        day.day,
        day.isocalendar().week,
        day.isoweekday(),
        day.isoweekday() >= 6,
    )


def ensure_dates(writer: Writer, keys: Iterable[int]) -> None:
    writer.upsert(tables.DATE, [date_row(clean.key_date(key)) for key in sorted(set(keys)) if key])


def ensure_static(writer: Writer) -> None:
    writer.upsert(tables.PAYMENT_METHOD, sorted(PAYMENT_METHODS.items()))
    writer.upsert(tables.PROVINCE, sorted(PROVINCES.items()))


def load_coupons(writer: Writer, codes: Iterable[str]) -> None:
    codes = sorted(set(codes))
    if not codes:
        return
    found = {row["code"]: row for row in coupons_selectors.etl_coupons(codes=codes)}
    rows = []
    for code in codes:
        row = found.get(code)  # a coupon deleted since is still a member, kind unknown
        kind = row["kind"] if row else ""
        rows.append((code, kind, clean.cents(row["value"]) if row else 0))
    writer.upsert(tables.COUPON, rows)
