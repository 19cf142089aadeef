"""The catalogue's value rules, shared by every write: limits, amounts, slugs, the search text.

The limits sit inside the columns: a price fits ``DecimalField(max_digits=10,
decimal_places=2)``, a quantity a 32-bit integer, a name its ``max_length``. A value past
one is refused with a message, never cut or left to the database to overflow.
"""

import dataclasses
from decimal import Decimal, InvalidOperation

from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.core.money import money
from apps.core.text import fold

from ..errors import InventoryValidationError

# One movement moves at most STOCK_MOVEMENT_MAX units; no variant holds more than ON_HAND_MAX.
STOCK_MOVEMENT_MAX = 1_000_000
ON_HAND_MAX = 100_000_000
LOW_STOCK_THRESHOLD_MAX = STOCK_MOVEMENT_MAX
POSITION_MAX = 100_000
PRICE_MAX = Decimal("99999999.99")  # the price and cost columns: 10 digits, 2 decimals

# The columns' lengths (models.py): longer text is refused, not cut.
PRODUCT_NAME_MAX = 200
CATEGORY_NAME_MAX = 120
BRAND_NAME_MAX = 120
SKU_MAX = 64
SLUG_MAX = 140
ICON_MAX = 40


@dataclasses.dataclass(frozen=True)
class StockLine:
    variant_id: int
    quantity: int


@dataclasses.dataclass(frozen=True)
class VariantInput:
    sku: str
    price: Decimal
    cost: Decimal = Decimal("0")
    options: dict[str, str] = dataclasses.field(default_factory=dict)
    low_stock_threshold: int = 5
    is_active: bool = True
    initial_stock: int = 0


def bounded(value, field: str, *, minimum: int, maximum: int) -> int:
    """An integer input within its business limits (InventoryValidationError otherwise)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise InventoryValidationError(
            _("Escriba un número entero."), details={field: "invalid"}
        ) from None
    if not minimum <= number <= maximum:
        raise InventoryValidationError(
            _("El valor debe estar entre %(min)s y %(max)s.") % {"min": minimum, "max": maximum},
            details={field: "out_of_range"},
        )
    return number


def price(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """An amount in euros, half-up to cents, above zero (or zero) and within PRICE_MAX."""
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
        if not amount.is_finite():
            raise InvalidOperation
        amount = money(amount)
    except (InvalidOperation, ValueError, TypeError):
        raise InventoryValidationError(
            _("«%(value)s» no es un importe válido.") % {"value": value}, details={field: "invalid"}
        ) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InventoryValidationError(
            _("El importe debe ser mayor que cero.")
            if not allow_zero
            else _("El importe no puede ser negativo."),
            details={field: "out_of_range"},
        )
    if amount > PRICE_MAX:
        raise InventoryValidationError(too_large_amount_message(), details={field: "out_of_range"})
    return amount


def too_large_amount_message() -> str:
    return _("El importe no puede pasar de %(max)s €.") % {"max": "99.999.999,99"}


def name(value, field: str, *, maximum: int) -> str:
    """A required name, stripped, at most ``maximum`` characters."""
    text = (value or "").strip()
    if not text:
        raise InventoryValidationError(_("El nombre es obligatorio."), details={field: "required"})
    if len(text) > maximum:
        raise InventoryValidationError(
            too_long_message(len(text), maximum), details={field: "too_long"}
        )
    return text


def too_long_message(length: int, maximum: int) -> str:
    return _("Tiene %(length)s caracteres; el máximo es %(max)s.") % {
        "length": length,
        "max": maximum,
    }


def clean_specifications(specifications) -> list[list[str]]:
    cleaned = []
    for pair in specifications or ():
        if isinstance(pair, dict):
            pair = (pair.get("name", ""), pair.get("value", ""))
        spec_name, value = (str(part).strip() for part in pair)
        if spec_name and value:
            cleaned.append([spec_name[:80], value[:200]])
    return cleaned


def search_document(*, name, brand, category_names, specifications, skus) -> str:
    """The text the shop's search looks in; the folded copy lets "portatil" find "Portátil"."""
    parts = [name, brand, *category_names, *(value for _, value in specifications), *skus]
    text = " ".join(part for part in parts if part)
    return f"{text} {fold(text)}"


def slug_base(text: str) -> str:
    return slugify(text)[:200] or "item"


def unique_slugs(model, texts: list[str]) -> list[str]:
    """A free slug for each text (none taken in ``model`` nor given twice): one query for the
    plain slugs, and one more per text only where its plain slug is taken."""
    bases = [slug_base(text) for text in texts]
    taken = set(model.objects.filter(slug__in=bases).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, n = base, 2
        while slug in taken or (slug != base and model.objects.filter(slug=slug).exists()):
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def unique_slug(model, text: str, exclude_pk: int | None = None) -> str:
    base = slug_base(text)
    slug, n = base, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug
