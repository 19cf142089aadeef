"""Cells of report tables and cards, formatted for the reader's language."""

from datetime import date
from decimal import Decimal

from django import template
from django.utils.formats import date_format, number_format

from apps.core.templatetags.shop import money

register = template.Library()


@register.filter
def cell(value, kind: str = "text"):
    """A value as its column shows it: money, whole numbers, percent, days, dates."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return money(value)
    if kind in ("int", "heat"):
        return number_format(value, 0, use_l10n=True, force_grouping=True)
    if kind == "pct":
        return f"{number_format(Decimal(value), 1, use_l10n=True)}\u00a0%"
    if kind == "days":
        return number_format(Decimal(value), 1, use_l10n=True, force_grouping=True)
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@register.filter
def signed_pct(value):
    """+12,5 % / −3,0 % (None: nothing to compare with)."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{number_format(abs(Decimal(value)), 1, use_l10n=True)}\u00a0%"


LOWER_IS_BETTER = {"refunds", "discounts", "refund_rate", "cancel_rate", "dead", "at_risk", "out"}


@register.filter
def trend(value, key: str = "") -> str:
    """A colour class for a change: green when it went the good way."""
    if not value:
        return "text-secondary"
    good = value < 0 if key in LOWER_IS_BETTER else value > 0
    return "text-success" if good else "text-danger"


@register.simple_tag
def heat_class(table, row_index, column_index) -> str:
    if not table.levels or column_index < 1 or column_index > len(table.levels[row_index]):
        return ""
    return f"heat heat-{table.levels[row_index][column_index - 1]}"


@register.filter
def index(items, position: int):
    return items[position]
