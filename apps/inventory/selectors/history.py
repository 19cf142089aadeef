"""What the order-history import needs to know of the catalogue: variants by SKU or id."""

import dataclasses
from collections.abc import Iterable
from decimal import Decimal

from ..models import Variant


@dataclasses.dataclass(frozen=True)
class VariantRef:
    """What an order line snapshots of a variant, found by its SKU."""

    id: int
    product_id: int
    sku: str
    name: str
    option_label: str
    on_hand: int
    price: Decimal


def _variant_refs(variants) -> list[VariantRef]:
    rows = variants.values_list(
        "pk", "product_id", "sku", "product__name", "options", "on_hand", "price"
    )
    return [
        VariantRef(pk, product_id, sku, name, _label(options), on_hand, price)
        for pk, product_id, sku, name, options, on_hand, price in rows
    ]


def _label(options) -> str:
    return " · ".join(str(v) for v in (options or {}).values())


def variant_refs_on_sale(*, limit: int = 5000) -> list[VariantRef]:
    """Active variants of active products, in id order (demo history, tools)."""
    variants = Variant.objects.filter(is_active=True, product__is_active=True).order_by("pk")
    return _variant_refs(variants[:limit])


def variant_refs_by_id(*, variant_ids: Iterable[int]) -> list[VariantRef]:
    ids = sorted(set(variant_ids))
    found: list[VariantRef] = []
    for start in range(0, len(ids), 1000):
        found += _variant_refs(Variant.objects.filter(pk__in=ids[start : start + 1000]))
    return found


def variant_refs_by_sku(*, skus: Iterable[str]) -> dict[str, VariantRef]:
    """The variants with these SKUs (upper case, trimmed), by SKU; unknown SKUs are left out.
    Inactive variants are included: history sold what the shop no longer sells."""
    wanted = sorted({(sku or "").strip().upper() for sku in skus} - {""})
    found: dict[str, VariantRef] = {}
    for start in range(0, len(wanted), 1000):
        for ref in _variant_refs(Variant.objects.filter(sku__in=wanted[start : start + 1000])):
            found[ref.sku] = ref
    return found
