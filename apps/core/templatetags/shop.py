from decimal import Decimal, InvalidOperation

from django import template

from apps.core.money import money_format

register = template.Library()


@register.filter
def money(value):
    """1299.5 -> '1.299,50 €' in Spanish, '€1,299.50' in English (``apps.core.money``)."""
    if value in (None, ""):
        return ""
    try:
        return money_format(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return ""
