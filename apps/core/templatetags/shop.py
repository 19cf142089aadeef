from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from apps.core.money import money as round_money

register = template.Library()


@register.filter
def money(value):
    """1299.5 -> '1.299,50 €' in Spanish, '1,299.50 €' in English."""
    if value in (None, ""):
        return ""
    try:
        amount = round_money(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)}\u00a0€"
