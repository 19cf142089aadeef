"""The catalogue, many rows at a time: a demo or benchmark load, and the derived columns of
many products refreshed at once (a catalogue import's batch).

Set-based: a handful of queries per batch whatever its size, the same derived columns and
the same stock ledger as the one-at-a-time services in ``catalogue``.
"""

import dataclasses
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import InventoryValidationError
from ..models import Brand, Category, Product, StockMovement, Variant
from .bulk_writes import update_rows
from .rules import (
    VariantInput,
    clean_specifications,
    price,
    search_document,
    unique_slugs,
)


class CategoryPaths:
    """Every category's name and parent, read once: a category's path of names, top last."""

    def __init__(self):
        self.rows = {row["pk"]: row for row in Category.objects.values("pk", "name", "parent_id")}

    def names(self, category_id) -> list[str]:
        names, current, seen = [], self.rows.get(category_id), set()
        while current is not None and current["pk"] not in seen:
            seen.add(current["pk"])
            names.append(current["name"])
            current = self.rows.get(current["parent_id"])
        return names


def products_insert(products: list[Product]) -> None:
    """INSERT new products and give each its id (MySQL/MariaDB return none from a bulk insert)."""
    if connection.features.can_return_rows_from_bulk_insert:
        Product.objects.bulk_create(products)
        return
    for product in products:
        product.save(force_insert=True)


def products_refresh(*, product_ids, paths: CategoryPaths | None = None) -> None:
    """Recompute ``price_from`` and the search text of these products: three reads and one
    UPDATE for the lot (``catalogue.refresh_product`` does one product)."""
    product_ids = sorted(set(product_ids))
    if not product_ids:
        return
    paths = paths or CategoryPaths()
    products = list(
        Product.objects.filter(pk__in=product_ids).only(
            "pk", "name", "category_id", "brand_id", "specifications"
        )
    )
    brands = dict(
        Brand.objects.filter(pk__in={p.brand_id for p in products if p.brand_id}).values_list(
            "pk", "name"
        )
    )
    skus: dict[int, list[str]] = {}
    cheapest: dict[int, Decimal] = {}
    for product_id, sku, amount, active in (
        Variant.objects.filter(product_id__in=product_ids)
        .order_by("product_id", "position", "pk")
        .values_list("product_id", "sku", "price", "is_active")
    ):
        skus.setdefault(product_id, []).append(sku)
        if active and (product_id not in cheapest or amount < cheapest[product_id]):
            cheapest[product_id] = amount
    now = timezone.now()
    for product in products:
        product.price_from = cheapest.get(product.pk, Decimal("0"))
        product.search_document = search_document(
            name=product.name,
            brand=brands.get(product.brand_id, ""),
            category_names=paths.names(product.category_id),
            specifications=product.specifications,
            skus=skus.get(product.pk, []),
        )
        product.updated_at = now
    update_rows(Product, ["price_from", "search_document", "updated_at"], products)


# --- Bulk loading (demo data and benchmarks) -------------------------------------------


@dataclasses.dataclass(frozen=True)
class BulkProduct:
    name: str
    category_id: int
    variants: list[VariantInput]
    brand_id: int | None = None
    description: str = ""
    specifications: tuple = ()
    is_featured: bool = False


def catalogue_bulk_load(*, products, batch_size: int = 1000, progress=None) -> int:
    """Load many products at once (a demo or benchmark catalogue of 100,000): one transaction
    and a handful of INSERTs per batch, the same derived columns and the same stock ledger
    as ``product_create``. ``progress(done)`` is called after each batch. Returns how many."""
    paths = CategoryPaths()
    brands = dict(Brand.objects.values_list("pk", "name"))
    done, batch = 0, []
    for item in products:
        batch.append(item)
        if len(batch) >= batch_size:
            done += _bulk_batch(batch, paths, brands)
            batch = []
            if progress:
                progress(done)
    if batch:
        done += _bulk_batch(batch, paths, brands)
        if progress:
            progress(done)
    return done


def _bulk_product(item: BulkProduct, slug: str, paths, brands, now) -> Product:
    specs = clean_specifications(item.specifications)
    active_prices = [price(v.price, "price") for v in item.variants if v.is_active]
    return Product(
        category_id=item.category_id,
        brand_id=item.brand_id,
        name=item.name[:200],
        slug=slug,
        description=item.description,
        specifications=specs,
        is_featured=item.is_featured,
        price_from=min(active_prices) if active_prices else Decimal("0"),
        search_document=search_document(
            name=item.name,
            brand=brands.get(item.brand_id, ""),
            category_names=paths.names(item.category_id),
            specifications=specs,
            skus=[v.sku.strip().upper() for v in item.variants],
        ),
        created_at=now,
    )


def _bulk_variant(product_id: int, spec: VariantInput, position: int) -> Variant:
    return Variant(
        product_id=product_id,
        sku=spec.sku.strip().upper(),
        options=dict(spec.options or {}),
        price=price(spec.price, "price"),
        cost=price(spec.cost, "cost", allow_zero=True),
        low_stock_threshold=max(0, int(spec.low_stock_threshold)),
        is_active=spec.is_active,
        on_hand=max(0, int(spec.initial_stock)),
        position=position,
    )


@transaction.atomic
def _bulk_batch(items: list[BulkProduct], paths: CategoryPaths, brands: dict[int, str]) -> int:
    now = timezone.now()
    slugs = unique_slugs(Product, [item.name for item in items])
    products = [
        _bulk_product(item, slug, paths, brands, now)
        for item, slug in zip(items, slugs, strict=True)
    ]
    try:
        products_insert(products)
        variant_rows = [
            _bulk_variant(product.pk, spec, position)
            for product, item in zip(products, items, strict=True)
            for position, spec in enumerate(item.variants)
        ]
        Variant.objects.bulk_create(variant_rows)
    except IntegrityError:
        raise InventoryValidationError(_("Hay SKU repetidos en la carga.")) from None
    StockMovement.objects.bulk_create(
        StockMovement(
            variant_id=variant.pk,
            kind=StockMovement.Kind.RECEIPT,
            quantity=variant.on_hand,
            reason=_("Existencias iniciales"),
            created_at=now,
        )
        for variant in variant_rows
        if variant.on_hand > 0
    )
    return len(products)
