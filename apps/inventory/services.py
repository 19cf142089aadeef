"""Inventory use cases: the catalogue and the stock ledger.

Stock only changes here, and every change writes a ``StockMovement`` in the same
transaction, so a variant's ``on_hand`` always equals the sum of its ledger.
``stock_reserve`` is the checkout's call: an all-or-nothing conditional update
per variant, in primary-key order (so concurrent checkouts over the same items
queue instead of deadlocking), with the ``on_hand >= 0`` constraint as the last
guard.
"""

import dataclasses
import logging
import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, IntegerField, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.core.errors import ConflictError, InvalidInputError, NotFoundError
from apps.core.money import money
from apps.core.text import fold

from . import selectors
from .models import (
    Brand,
    Category,
    ImportJob,
    ImportJobRow,
    Product,
    ProductImage,
    StockMovement,
    Variant,
)

logger = logging.getLogger(__name__)

# Business limits (all well inside the 32-bit columns): one movement moves at most
# STOCK_MOVEMENT_MAX units, and no variant holds more than ON_HAND_MAX.
STOCK_MOVEMENT_MAX = 1_000_000
ON_HAND_MAX = 100_000_000
LOW_STOCK_THRESHOLD_MAX = STOCK_MOVEMENT_MAX
POSITION_MAX = 100_000

# --- Errors --------------------------------------------------------------------


class OutOfStockError(ConflictError):
    code = "out_of_stock"


class ProductUnavailableError(ConflictError):
    code = "product_unavailable"


class InventoryValidationError(InvalidInputError):
    code = "invalid"


# --- Carriers ------------------------------------------------------------------


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


# --- Stock ---------------------------------------------------------------------


def _merge(lines: list[StockLine]) -> list[tuple[int, int]]:
    totals: Counter[int] = Counter()
    for line in lines:
        if int(line.quantity) <= 0:
            raise InventoryValidationError(_("La cantidad debe ser mayor que cero."))
        totals[int(line.variant_id)] += int(line.quantity)
    return sorted(totals.items())  # one fixed order: primary key


def _variant_names(variant_ids) -> dict[int, dict]:
    return {
        row["pk"]: row
        for row in Variant.objects.filter(pk__in=variant_ids).values(
            "pk", "sku", "on_hand", "is_active", "product__name", "product__is_active"
        )
    }


@transaction.atomic
def stock_reserve(*, lines: list[StockLine], reference: str, user_id: int | None = None) -> None:
    """Take the stock for a sale, all or nothing. Raises OutOfStockError naming the item short."""
    merged = _merge(lines)
    names = _variant_names([variant_id for variant_id, _ in merged])
    for variant_id, _quantity in merged:
        row = names.get(variant_id)
        if row is None or not (row["is_active"] and row["product__is_active"]):
            raise ProductUnavailableError(
                _("«%(name)s» ya no está a la venta.")
                % {"name": row["product__name"] if row else variant_id},
                details={"variant_id": variant_id},
            )
    for variant_id, quantity in merged:
        taken = Variant.objects.filter(pk=variant_id, on_hand__gte=quantity).update(
            on_hand=F("on_hand") - quantity
        )
        if not taken:
            available = Variant.objects.filter(pk=variant_id).values_list("on_hand", flat=True)[0]
            raise OutOfStockError(
                _(
                    "No quedan existencias suficientes de «%(name)s»: pidió %(requested)s, quedan %(available)s."
                )
                % {
                    "name": names[variant_id]["product__name"],
                    "requested": quantity,
                    "available": available,
                },
                details={
                    "variant_id": variant_id,
                    "sku": names[variant_id]["sku"],
                    "requested": quantity,
                    "available": available,
                },
            )
    StockMovement.objects.bulk_create(
        StockMovement(
            variant_id=variant_id,
            kind=StockMovement.Kind.SALE,
            quantity=-quantity,
            reference=reference,
            user_id=user_id,
        )
        for variant_id, quantity in merged
    )


@transaction.atomic
def stock_return(
    *,
    lines: list[StockLine],
    reference: str,
    kind: str = StockMovement.Kind.CANCELLATION,
    reason: str = "",
    user_id: int | None = None,
) -> None:
    """Give stock back (a cancelled order, a refund with restocking)."""
    if kind not in (StockMovement.Kind.CANCELLATION, StockMovement.Kind.RETURN):
        raise InventoryValidationError(_("Tipo de devolución de stock no válido."))
    merged = _merge(lines)
    for variant_id, quantity in merged:
        if not Variant.objects.filter(pk=variant_id).update(on_hand=F("on_hand") + quantity):
            raise NotFoundError(_("Variante %(id)s no encontrada.") % {"id": variant_id})
    StockMovement.objects.bulk_create(
        StockMovement(
            variant_id=variant_id,
            kind=kind,
            quantity=quantity,
            reference=reference,
            reason=reason,
            user_id=user_id,
        )
        for variant_id, quantity in merged
    )


def _bounded(value, field: str, *, minimum: int, maximum: int) -> int:
    """An integer input within its business limits (InventoryValidationError otherwise)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InventoryValidationError(
            _("Escriba un número entero."), details={field: "invalid"}
        ) from None
    if not minimum <= number <= maximum:
        raise InventoryValidationError(
            _("El valor debe estar entre %(min)s y %(max)s.") % {"min": minimum, "max": maximum},
            details={field: "out_of_range"},
        )
    return number


def _too_much_stock(variant_id: int) -> InventoryValidationError:
    return InventoryValidationError(
        _("Una variante no puede tener más de %(max)s unidades.") % {"max": ON_HAND_MAX},
        details={"variant_id": variant_id, "on_hand": "out_of_range"},
    )


@transaction.atomic
def stock_receive(
    *, variant_id: int, quantity: int, reason: str = "", reference: str = "", user_id: int | None
) -> int:
    """Goods in from a supplier. Returns the new quantity on hand."""
    if int(quantity) <= 0:
        raise InventoryValidationError(
            _("La cantidad recibida debe ser mayor que cero."), details={"quantity": quantity}
        )
    quantity = _bounded(quantity, "quantity", minimum=1, maximum=STOCK_MOVEMENT_MAX)
    if not Variant.objects.filter(pk=variant_id).exists():
        raise NotFoundError(_("Variante no encontrada."))
    if not Variant.objects.filter(pk=variant_id, on_hand__lte=ON_HAND_MAX - quantity).update(
        on_hand=F("on_hand") + quantity
    ):
        raise _too_much_stock(variant_id)
    StockMovement.objects.create(
        variant_id=variant_id,
        kind=StockMovement.Kind.RECEIPT,
        quantity=quantity,
        reason=reason.strip(),
        reference=reference.strip(),
        user_id=user_id,
    )
    return Variant.objects.values_list("on_hand", flat=True).get(pk=variant_id)


@transaction.atomic
def stock_adjust(*, variant_id: int, delta: int, reason: str, user_id: int | None) -> int:
    """A correction after a count, breakage, loss. A reason is required. Returns the new on hand."""
    delta = _bounded(delta, "delta", minimum=-ON_HAND_MAX, maximum=ON_HAND_MAX)
    if not reason or not reason.strip():
        raise InventoryValidationError(
            _("Indique el motivo del ajuste."), details={"reason": "required"}
        )
    if delta == 0:
        raise InventoryValidationError(_("El ajuste no puede ser cero."))
    if not Variant.objects.filter(pk=variant_id).exists():
        raise NotFoundError(_("Variante no encontrada."))
    changed = Variant.objects.filter(
        pk=variant_id, on_hand__gte=max(0, -delta), on_hand__lte=ON_HAND_MAX - max(0, delta)
    ).update(on_hand=F("on_hand") + delta)
    if not changed and delta > 0:
        raise _too_much_stock(variant_id)
    if not changed:
        raise OutOfStockError(
            _("El ajuste dejaría las existencias por debajo de cero."),
            details={"variant_id": variant_id, "delta": delta},
        )
    StockMovement.objects.create(
        variant_id=variant_id,
        kind=StockMovement.Kind.ADJUSTMENT,
        quantity=delta,
        reason=reason.strip(),
        user_id=user_id,
    )
    return Variant.objects.values_list("on_hand", flat=True).get(pk=variant_id)


def product_sales_rank_refresh(*, days: int = 30) -> int:
    """Recompute ``units_sold_30d`` (the best-selling sort) from the ledger. Returns rows updated."""
    since = timezone.now() - timedelta(days=days)
    sold = (
        StockMovement.objects.filter(
            variant__product=OuterRef("pk"),
            created_at__gte=since,
            kind__in=[
                StockMovement.Kind.SALE,
                StockMovement.Kind.CANCELLATION,
                StockMovement.Kind.RETURN,
            ],
        )
        .values("variant__product")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Product.objects.update(
        units_sold_30d=Coalesce(-Subquery(sold, output_field=IntegerField()), Value(0))
    )


# --- Catalogue -------------------------------------------------------------------


def _unique_slug(model, text: str, exclude_pk: int | None = None) -> str:
    base = slugify(text)[:200] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _price(value, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = money(Decimal(str(value).strip().replace(",", ".")))
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
    return amount


def _clean_specifications(specifications) -> list[list[str]]:
    cleaned = []
    for pair in specifications or ():
        if isinstance(pair, dict):
            pair = (pair.get("name", ""), pair.get("value", ""))
        name, value = (str(part).strip() for part in pair)
        if name and value:
            cleaned.append([name[:80], value[:200]])
    return cleaned


def _refresh_product(product: Product) -> None:
    """Keep the derived columns true: price_from and the search document."""
    prices = list(
        product.variants.filter(is_active=True)
        .order_by("price")
        .values_list("price", flat=True)[:1]
    )
    product.price_from = prices[0] if prices else Decimal("0")
    category_names = []
    category = product.category
    while category is not None:
        category_names.append(category.name)
        category = category.parent
    product.search_document = _search_document(
        name=product.name,
        brand=product.brand.name if product.brand_id else "",
        category_names=category_names,
        specifications=product.specifications,
        skus=product.variants.values_list("sku", flat=True),
    )
    product.save(update_fields=["price_from", "search_document", "updated_at"])


def _search_document(*, name, brand, category_names, specifications, skus) -> str:
    parts = [name, brand, *category_names, *(value for _, value in specifications), *skus]
    text = " ".join(part for part in parts if part)
    # The folded copy lets "portatil" find "Portátil" on every database.
    return f"{text} {fold(text)}"


def _check_category(category_id: int) -> Category:
    try:
        return Category.objects.select_related("parent").get(pk=category_id)
    except (Category.DoesNotExist, ValueError, TypeError):
        raise InventoryValidationError(
            _("La categoría no existe."), details={"category_id": "unknown"}
        ) from None


def _check_brand(brand_id: int | None) -> int | None:
    if brand_id in (None, ""):
        return None
    if not Brand.objects.filter(pk=brand_id).exists():
        raise InventoryValidationError(_("La marca no existe."), details={"brand_id": "unknown"})
    return int(brand_id)


def _variant_create(product: Product, spec: VariantInput, position: int, user_id) -> Variant:
    sku = spec.sku.strip().upper()
    if not sku:
        raise InventoryValidationError(
            _("Cada variante necesita un SKU."), details={"sku": "required"}
        )
    if Variant.objects.filter(sku=sku).exists():
        raise InventoryValidationError(
            _("El SKU %(sku)s ya existe.") % {"sku": sku}, details={"sku": "duplicate"}
        )
    variant = Variant.objects.create(
        product=product,
        sku=sku,
        options={str(k).strip(): str(v).strip() for k, v in (spec.options or {}).items()},
        price=_price(spec.price, "price"),
        cost=_price(spec.cost, "cost", allow_zero=True),
        low_stock_threshold=_bounded(
            spec.low_stock_threshold,
            "low_stock_threshold",
            minimum=0,
            maximum=LOW_STOCK_THRESHOLD_MAX,
        ),
        is_active=spec.is_active,
        position=position,
    )
    if _bounded(spec.initial_stock, "initial_stock", minimum=0, maximum=STOCK_MOVEMENT_MAX):
        stock_receive(
            variant_id=variant.pk,
            quantity=spec.initial_stock,
            reason=_("Existencias iniciales"),
            user_id=user_id,
        )
    return variant


@transaction.atomic
def product_create(
    *,
    name: str,
    category_id: int,
    variants: list[VariantInput],
    brand_id: int | None = None,
    description: str = "",
    specifications=(),
    is_active: bool = True,
    is_featured: bool = False,
    slug: str = "",
    user_id: int | None = None,
) -> int:
    """Create a product with its variants (at least one). Returns the product id."""
    name = (name or "").strip()
    if not name:
        raise InventoryValidationError(_("El nombre es obligatorio."), details={"name": "required"})
    if not variants:
        raise InventoryValidationError(_("Un producto necesita al menos una variante."))
    skus = [v.sku.strip().upper() for v in variants]
    if len(set(skus)) != len(skus):
        raise InventoryValidationError(_("Hay SKU repetidos entre las variantes."))
    category = _check_category(category_id)
    product = Product.objects.create(
        category=category,
        brand_id=_check_brand(brand_id),
        name=name[:200],
        slug=_unique_slug(Product, slug or name),
        description=(description or "").strip(),
        specifications=_clean_specifications(specifications),
        is_active=is_active,
        is_featured=is_featured,
    )
    try:
        for position, spec in enumerate(variants):
            _variant_create(product, spec, position, user_id)
    except IntegrityError:
        raise InventoryValidationError(_("Ya existe un SKU igual.")) from None
    _refresh_product(product)
    return product.pk


PRODUCT_FIELDS = {
    "name",
    "category_id",
    "brand_id",
    "description",
    "specifications",
    "is_active",
    "is_featured",
}


@transaction.atomic
def product_update(*, product_id: int, **changes) -> None:
    """Change a product's own fields (not its variants). Unknown fields are refused."""
    unknown = set(changes) - PRODUCT_FIELDS
    if unknown:
        raise InventoryValidationError(
            _("Campos no admitidos: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFoundError(_("Producto no encontrado."))
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise InventoryValidationError(
                _("El nombre es obligatorio."), details={"name": "required"}
            )
        product.name = name[:200]
    if "category_id" in changes:
        product.category = _check_category(changes["category_id"])
    if "brand_id" in changes:
        product.brand_id = _check_brand(changes["brand_id"])
    if "description" in changes:
        product.description = (changes["description"] or "").strip()
    if "specifications" in changes:
        product.specifications = _clean_specifications(changes["specifications"])
    for flag in ("is_active", "is_featured"):
        if flag in changes:
            setattr(product, flag, bool(changes[flag]))
    product.save()
    _refresh_product(product)


VARIANT_FIELDS = {"price", "cost", "options", "low_stock_threshold", "is_active"}


@transaction.atomic
def variant_update(*, variant_id: int, **changes) -> None:
    """Change a variant's price, cost, options, threshold or activity. Stock moves only by the ledger."""
    unknown = set(changes) - VARIANT_FIELDS
    if unknown:
        raise InventoryValidationError(
            _("Campos no admitidos: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    variant = Variant.objects.select_related("product").filter(pk=variant_id).first()
    if variant is None:
        raise NotFoundError(_("Variante no encontrada."))
    if "price" in changes:
        variant.price = _price(changes["price"], "price")
    if "cost" in changes:
        variant.cost = _price(changes["cost"], "cost", allow_zero=True)
    if "options" in changes:
        variant.options = {str(k).strip(): str(v).strip() for k, v in changes["options"].items()}
    if "low_stock_threshold" in changes:
        variant.low_stock_threshold = _bounded(
            changes["low_stock_threshold"],
            "low_stock_threshold",
            minimum=0,
            maximum=LOW_STOCK_THRESHOLD_MAX,
        )
    if "is_active" in changes:
        variant.is_active = bool(changes["is_active"])
    variant.save()
    _refresh_product(variant.product)


@transaction.atomic
def variant_add(*, product_id: int, variant: VariantInput, user_id: int | None = None) -> int:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFoundError(_("Producto no encontrado."))
    created = _variant_create(product, variant, product.variants.count(), user_id)
    _refresh_product(product)
    return created.pk


@transaction.atomic
def category_create(
    *,
    name: str,
    name_en: str = "",
    parent_id: int | None = None,
    description: str = "",
    icon: str = "box",
    position: int = 0,
    slug: str = "",
) -> int:
    name = (name or "").strip()
    if not name:
        raise InventoryValidationError(_("El nombre es obligatorio."), details={"name": "required"})
    if parent_id and not Category.objects.filter(pk=parent_id).exists():
        raise InventoryValidationError(_("La categoría padre no existe."))
    category = Category.objects.create(
        name=name[:120],
        name_en=(name_en or "").strip()[:120],
        parent_id=parent_id or None,
        slug=_unique_slug(Category, slug or name),
        description=description.strip(),
        icon=icon or "box",
        position=_bounded(position, "position", minimum=0, maximum=POSITION_MAX),
    )
    transaction.on_commit(selectors.category_tree_invalidate)
    return category.pk


CATEGORY_FIELDS = {"name", "name_en", "parent_id", "description", "icon", "position", "is_active"}


@transaction.atomic
def category_update(*, category_id: int, **changes) -> None:
    unknown = set(changes) - CATEGORY_FIELDS
    if unknown:
        raise InventoryValidationError(
            _("Campos no admitidos: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFoundError(_("Categoría no encontrada."))
    if "parent_id" in changes:
        parent_id = changes["parent_id"] or None
        ancestor = Category.objects.filter(pk=parent_id).first() if parent_id else None
        while ancestor is not None:  # a category cannot sit below itself
            if ancestor.pk == category.pk:
                raise InventoryValidationError(_("Una categoría no puede colgar de sí misma."))
            ancestor = ancestor.parent
        category.parent_id = parent_id
    if "position" in changes:
        changes["position"] = _bounded(
            changes["position"], "position", minimum=0, maximum=POSITION_MAX
        )
    for field in ("name", "description", "icon", "position", "is_active"):
        if field in changes:
            setattr(category, field, changes[field])
    if "name_en" in changes:
        category.name_en = (changes["name_en"] or "").strip()[:120]
    if not str(category.name).strip():
        raise InventoryValidationError(_("El nombre es obligatorio."), details={"name": "required"})
    category.save()
    transaction.on_commit(selectors.category_tree_invalidate)


@transaction.atomic
def brand_create(*, name: str, slug: str = "") -> int:
    name = (name or "").strip()
    if not name:
        raise InventoryValidationError(_("El nombre es obligatorio."), details={"name": "required"})
    if Brand.objects.filter(name__iexact=name).exists():
        raise InventoryValidationError(
            _("La marca %(name)s ya existe.") % {"name": name}, details={"name": "duplicate"}
        )
    return Brand.objects.create(name=name[:120], slug=_unique_slug(Brand, slug or name)).pk


@transaction.atomic
def brand_update(*, brand_id: int, name: str | None = None, is_active: bool | None = None) -> None:
    brand = Brand.objects.filter(pk=brand_id).first()
    if brand is None:
        raise NotFoundError(_("Marca no encontrada."))
    if name is not None:
        if not name.strip():
            raise InventoryValidationError(_("El nombre es obligatorio."))
        brand.name = name.strip()[:120]
    if is_active is not None:
        brand.is_active = is_active
    brand.save()


# --- Dashboard and catalogue import ------------------------------------------------


@transaction.atomic
def product_edit(*, product_id: int, variants: dict[int, dict] | None = None, **changes) -> None:
    """Change a product and its variants in one transaction (the manager's edit page).

    A variant's error is raised with ``details["variant_id"]`` so the page can show it
    next to the right row.
    """
    product_update(product_id=product_id, **changes)
    for variant_id, variant_changes in sorted((variants or {}).items()):
        if not Variant.objects.filter(pk=variant_id, product_id=product_id).exists():
            raise NotFoundError(_("Variante no encontrada."))
        try:
            variant_update(variant_id=variant_id, **variant_changes)
        except InventoryValidationError as error:
            details = error.details if isinstance(error.details, dict) else {}
            raise InventoryValidationError(
                error.message, details={"variant_id": variant_id, **details}
            ) from None


STOCK_IMPORT_REASON = "Importación de existencias"


@transaction.atomic
def stock_level_set(*, variant_id: int, on_hand: int, reason: str, user_id: int | None) -> int:
    """Bring a variant to a counted level through an adjustment. Returns the delta applied.

    The row is locked while the difference is worked out, so a sale in between
    cannot make the count wrong. A count equal to the current level writes nothing.
    """
    try:
        on_hand = int(on_hand)
    except (TypeError, ValueError):
        raise InventoryValidationError(
            _("Las existencias deben ser un número entero."), details={"on_hand": "invalid"}
        ) from None
    if on_hand < 0:
        raise InventoryValidationError(
            _("Las existencias no pueden ser negativas."), details={"on_hand": "out_of_range"}
        )
    if on_hand > ON_HAND_MAX:
        raise _too_much_stock(variant_id)
    current = (
        Variant.objects.select_for_update().filter(pk=variant_id).values_list("on_hand", flat=True)
    )
    if not current:
        raise NotFoundError(_("Variante no encontrada."))
    delta = on_hand - current[0]
    if delta:
        stock_adjust(variant_id=variant_id, delta=delta, reason=reason, user_id=user_id)
    return delta


# --- Catalogue import jobs -------------------------------------------------------------
#
# A file over IMPORT_BACKGROUND_ROWS data rows or IMPORT_BACKGROUND_BYTES becomes a job on a
# Celery worker; a smaller one runs the same way, here and now. The rows are read a chunk at
# a time (``resources.catalogue_stream``), so memory stays flat however long the file.
#
# For a large file the choice is two passes, the second in one transaction:
#
# 1. The check. Every row is validated by the import's own rules and nothing is written. It
#    runs outside any long transaction: the report rows and the progress (a plain UPDATE per
#    chunk) commit as it goes, so the job page shows them. A dry run stops here, and the
#    manager confirms on the job page; a bad row stops it here too, having written nothing.
# 2. The import. One transaction for the whole file, each row written through the services
#    above and checked again on the way (the shop may have changed since the check). Any row
#    that fails now rolls back every row: nothing is ever half-written. The price is a long
#    transaction: the rows it wrote stay locked until it commits (on SQLite, the database's
#    one write lock, so other writers wait; import 50,000 rows on PostgreSQL or at a quiet
#    hour). An UPDATE made inside it is invisible to the page until the commit, so this
#    pass reports its progress through the cache (Redis in production, shared by the
#    workers and the web; without it the page shows the phase, not the count).

IMPORT_BACKGROUND_ROWS = 2_000
IMPORT_BACKGROUND_BYTES = 1_000_000
IMPORT_CHUNK_ROWS = 500  # progress and report rows are written once per chunk
IMPORT_KEEP_ERRORS = 1_000  # errors of the import pass kept to mark the report after a rollback


class ImportJobStateError(ConflictError):
    code = "import_job_state"


def _resources():
    from . import resources  # resources writes through this module, so it is imported late

    return resources


def _import_job_enqueue(job_id: int, *, apply: bool) -> None:
    from . import tasks  # the task module imports this one

    transaction.on_commit(lambda: tasks.import_job_run.delay(job_id, apply))


def import_is_large(*, file, filename: str) -> bool:
    """Whether a file is big enough to import as a background job (CatalogueFileError: bad name)."""
    resources = _resources()
    fmt = resources.file_format(filename)
    if file.size > IMPORT_BACKGROUND_BYTES:
        return True
    return resources.count_data_rows(file=file, fmt=fmt) > IMPORT_BACKGROUND_ROWS


def import_job_create(
    *,
    kind: str,
    file,
    filename: str,
    dry_run: bool = True,
    user_id: int | None = None,
    background: bool | None = None,
) -> int:
    """Store a catalogue file as an import job and start it. Returns the job id.

    ``background`` None decides by size; True queues it on a worker (after commit) whatever
    its size; False runs it now. A dry run stops after the check (see the note above).
    """
    resources = _resources()
    if kind not in resources.KINDS:
        raise InventoryValidationError(
            _("Tipo de importación desconocido: %(kind)s.") % {"kind": kind},
            details={"kind": "invalid"},
        )
    fmt = resources.file_format(filename)
    total = 0
    if file.size <= IMPORT_BACKGROUND_BYTES:  # a large file is counted by the worker
        total = resources.count_data_rows(file=file, fmt=fmt)
    if background is None:
        background = file.size > IMPORT_BACKGROUND_BYTES or total > IMPORT_BACKGROUND_ROWS
    job = ImportJob(
        kind=kind,
        original_filename=filename[:255],
        format=fmt,
        dry_run=dry_run,
        background=background,
        total_rows=total,
        created_by_id=user_id,
    )
    file.seek(0)
    job.file.save(f"{uuid.uuid4().hex}.{fmt}", file, save=False)
    with transaction.atomic():
        job.save()
        if background:
            _import_job_enqueue(job.pk, apply=not dry_run)
    if not background:
        import_job_run(job_id=job.pk, apply=not dry_run)
    return job.pk


def import_job_confirm(*, job_id: int) -> None:
    """Import a job's file after a clean dry run (on a worker if the job is one)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFoundError(_("Importación no encontrada."))
        if job.status != ImportJob.Status.DRY_RUN_DONE or job.error_count or not job.processed_rows:
            raise ImportJobStateError(
                _("Esta importación no se puede confirmar (estado: %(status)s).")
                % {"status": job.get_status_display()}
            )
        ImportJob.objects.filter(pk=job_id).update(dry_run=False, updated_at=timezone.now())
        if job.background:
            _import_job_enqueue(job.pk, apply=True)
    if not job.background:
        import_job_run(job_id=job_id, apply=True)


def import_job_run(*, job_id: int, apply: bool) -> None:
    """Run an import job: the check and, with ``apply``, the import (the note above).

    Idempotent: a job that is running, done or failed is left alone, and of two runs of the
    same job only the one that moves it out of its state goes ahead.
    """
    resources = _resources()
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFoundError(_("Importación no encontrada."))
    startable = {ImportJob.Status.QUEUED}
    if apply:
        startable.add(ImportJob.Status.DRY_RUN_DONE)
    if job.status not in startable:
        return
    checked = job.status == ImportJob.Status.DRY_RUN_DONE
    if checked and job.error_count:
        return
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=job.status).update(
        status=ImportJob.Status.IMPORTING if checked else ImportJob.Status.VALIDATING,
        started_at=now,
        updated_at=now,
        error_message="",
    )
    if not claimed:
        return
    try:
        if not checked:
            counts, processed = _import_job_check(job, resources)
            if counts["error"] or not apply:
                _import_job_finish(
                    job_id,
                    status=ImportJob.Status.FAILED if apply else ImportJob.Status.DRY_RUN_DONE,
                    counts=counts,
                    processed=processed,
                    message=_(
                        "%(n)s filas con errores: corrija el archivo y vuelva a subirlo. "
                        "No se ha guardado nada."
                    )
                    % {"n": counts["error"]}
                    if apply
                    else "",
                )
                return
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJob.Status.IMPORTING, updated_at=timezone.now()
            )
        _import_job_apply(job, resources)
    except resources.CatalogueFileError as error:
        _import_job_fail(job_id, error.message)
    except Exception:
        logger.exception("import job %s failed", job_id)
        _import_job_fail(
            job_id, _("Error inesperado durante la importación. No se ha cambiado nada.")
        )
        raise


def _import_job_check(job: ImportJob, resources) -> tuple[Counter, int]:
    """Pass 1: check every row, write nothing but the report and the progress."""
    ImportJobRow.objects.filter(job_id=job.pk).delete()
    counts: Counter = Counter()
    processed = 0
    with job.file.open("rb") as file:
        if not job.total_rows:
            total = resources.count_data_rows(file=file, fmt=job.format)
            ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        for reports in resources.catalogue_stream(
            kind=job.kind,
            file=file,
            fmt=job.format,
            apply=False,
            user_id=job.created_by_id,
            chunk_rows=IMPORT_CHUNK_ROWS,
            first_rows=lambda keys: _import_job_first_rows(job.pk, keys),
        ):
            ImportJobRow.objects.bulk_create(
                ImportJobRow(
                    job_id=job.pk,
                    row_number=report.number,
                    action=report.action,
                    key=report.key[:140],
                    errors=report.messages,
                )
                for report in reports
            )
            counts.update(report.action for report in reports)
            processed += len(reports)
            _import_job_progress(job.pk, processed=processed, counts=counts)
    return counts, processed


def _import_job_first_rows(job_id: int, keys: list[str]):
    """Where each key first appears among the rows already in the report (duplicate keys)."""
    return (
        ImportJobRow.objects.filter(job_id=job_id, key__in=keys)
        .values("key")
        .annotate(first=Min("row_number"))
        .values_list("key", "first")
        .order_by()
    )


def _import_job_progress(job_id: int, *, processed: int, counts: Counter) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        processed_rows=processed,
        total_rows=Greatest(F("total_rows"), processed),
        new_count=counts["new"],
        updated_count=counts["update"],
        unchanged_count=counts["skip"],
        error_count=counts["error"],
        updated_at=timezone.now(),
    )


def _import_job_apply(job: ImportJob, resources) -> None:
    """Pass 2: write every row through the services in one transaction, all or nothing."""
    progress_key = selectors.import_job_progress_key(job.pk)
    counts: Counter = Counter()
    errors = []
    processed = 0
    with transaction.atomic():
        with job.file.open("rb") as file:
            for reports in resources.catalogue_stream(
                kind=job.kind,
                file=file,
                fmt=job.format,
                apply=True,
                user_id=job.created_by_id,
                chunk_rows=IMPORT_CHUNK_ROWS,
                first_rows=lambda keys: _import_job_first_rows(job.pk, keys),
            ):
                _import_job_report_update(job.pk, [r for r in reports if r.action != "error"])
                counts.update(report.action for report in reports)
                errors.extend(r for r in reports if r.action == "error")
                del errors[IMPORT_KEEP_ERRORS:]
                processed += len(reports)
                cache.set(progress_key, processed, timeout=6 * 3600)
        if counts["error"]:
            transaction.set_rollback(True)  # the rows written so far, the report updates too
    cache.delete(progress_key)
    if counts["error"]:
        _import_job_report_update(job.pk, errors)
        _import_job_finish(
            job.pk,
            status=ImportJob.Status.FAILED,
            counts=counts,
            processed=processed,
            message=_(
                "La importación no se aplicó: %(n)s filas fallaron al guardarlas (el catálogo "
                "cambió desde la comprobación). No se ha cambiado nada."
            )
            % {"n": counts["error"]},
        )
        return
    _import_job_finish(job.pk, status=ImportJob.Status.DONE, counts=counts, processed=processed)
    job.file.delete(save=False)  # the report stays; the uploaded data goes
    ImportJob.objects.filter(pk=job.pk).update(file="")


def _import_job_report_update(job_id: int, reports) -> None:
    """Make the report say what the import did where it differs from what the check said."""
    if not reports:
        return
    checked = dict(
        ImportJobRow.objects.filter(
            job_id=job_id, row_number__in=[report.number for report in reports]
        ).values_list("row_number", "action")
    )
    for report in reports:
        if report.number not in checked:
            ImportJobRow.objects.create(
                job_id=job_id,
                row_number=report.number,
                action=report.action,
                key=report.key[:140],
                errors=report.messages,
            )
        elif checked[report.number] != report.action or report.messages:
            ImportJobRow.objects.filter(job_id=job_id, row_number=report.number).update(
                action=report.action, errors=report.messages
            )


def _import_job_finish(
    job_id: int, *, status: str, counts: Counter, processed: int, message: str = ""
) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        processed_rows=processed,
        total_rows=processed,
        new_count=counts["new"],
        updated_count=counts["update"],
        unchanged_count=counts["skip"],
        error_count=counts["error"],
        error_message=message,
        finished_at=now,
        updated_at=now,
    )


def _import_job_fail(job_id: int, message: str) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, error_message=message, finished_at=now, updated_at=now
    )


# --- Product images ----------------------------------------------------------------

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


@transaction.atomic
def product_image_add(*, product_id: int, image, alt_text: str = "") -> int:
    """Attach an uploaded image (JPEG, PNG, WebP or GIF, up to 5 MB) to a product."""
    from PIL import Image, UnidentifiedImageError

    if not Product.objects.filter(pk=product_id).exists():
        raise NotFoundError(_("Producto no encontrado."))
    if image is None or not getattr(image, "size", 0):
        raise InventoryValidationError(_("Elija una imagen."), details={"image": "required"})
    if image.size > IMAGE_MAX_BYTES:
        raise InventoryValidationError(
            _("La imagen no puede pasar de 5 MB."), details={"image": "too_large"}
        )
    try:
        with Image.open(image) as picture:
            kind = picture.format
            picture.verify()  # a truncated or forged file fails here
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise InventoryValidationError(
            _("El archivo no es una imagen válida (JPEG, PNG, WebP o GIF)."),
            details={"image": "invalid"},
        ) from None
    if kind not in IMAGE_FORMATS:
        raise InventoryValidationError(
            _("El archivo no es una imagen válida (JPEG, PNG, WebP o GIF)."),
            details={"image": "invalid"},
        )
    image.seek(0)
    image.name = f"{slugify(Product.objects.values_list('slug', flat=True).get(pk=product_id))}.{IMAGE_FORMATS[kind]}"
    position = ProductImage.objects.filter(product_id=product_id).count()
    return ProductImage.objects.create(
        product_id=product_id,
        image=image,
        alt_text=(alt_text or "").strip()[:200],
        position=position,
    ).pk


@transaction.atomic
def product_image_remove(*, product_id: int, image_id: int) -> None:
    picture = ProductImage.objects.filter(pk=image_id, product_id=product_id).first()
    if picture is None:
        raise NotFoundError(_("Imagen no encontrada."))
    stored = picture.image
    picture.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


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
    categories = {row["pk"]: row for row in Category.objects.values("pk", "name", "parent_id")}
    brands = dict(Brand.objects.values_list("pk", "name"))

    def path_names(category_id):
        names, current = [], categories.get(category_id)
        while current is not None:
            names.append(current["name"])
            current = categories.get(current["parent_id"])
        return names

    done, batch = 0, []
    for item in products:
        batch.append(item)
        if len(batch) >= batch_size:
            done += _bulk_batch(batch, path_names, brands)
            batch = []
            if progress:
                progress(done)
    if batch:
        done += _bulk_batch(batch, path_names, brands)
        if progress:
            progress(done)
    return done


@transaction.atomic
def _bulk_batch(items: list[BulkProduct], path_names, brands: dict[int, str]) -> int:
    base_slugs = [slugify(item.name)[:200] or "item" for item in items]
    taken = set(Product.objects.filter(slug__in=base_slugs).values_list("slug", flat=True))
    products, variant_rows = [], []
    now = timezone.now()
    for item, base in zip(items, base_slugs, strict=True):
        slug, n = base, 2
        while slug in taken or (slug != base and Product.objects.filter(slug=slug).exists()):
            slug, n = f"{base}-{n}", n + 1  # only names seen before pay for a query here
        taken.add(slug)
        specs = _clean_specifications(item.specifications)
        active_prices = [_price(v.price, "price") for v in item.variants if v.is_active]
        products.append(
            Product(
                category_id=item.category_id,
                brand_id=item.brand_id,
                name=item.name[:200],
                slug=slug,
                description=item.description,
                specifications=specs,
                is_featured=item.is_featured,
                price_from=min(active_prices) if active_prices else Decimal("0"),
                search_document=_search_document(
                    name=item.name,
                    brand=brands.get(item.brand_id, ""),
                    category_names=path_names(item.category_id),
                    specifications=specs,
                    skus=[v.sku.strip().upper() for v in item.variants],
                ),
                created_at=now,
            )
        )
    try:
        if connection.features.can_return_rows_from_bulk_insert:
            Product.objects.bulk_create(products)
        else:  # MySQL/MariaDB hand back no ids from a bulk insert
            for product in products:
                product.save(force_insert=True)
        for product, item in zip(products, items, strict=True):
            for position, spec in enumerate(item.variants):
                variant_rows.append(
                    Variant(
                        product_id=product.pk,
                        sku=spec.sku.strip().upper(),
                        options=dict(spec.options or {}),
                        price=_price(spec.price, "price"),
                        cost=_price(spec.cost, "cost", allow_zero=True),
                        low_stock_threshold=max(0, int(spec.low_stock_threshold)),
                        is_active=spec.is_active,
                        on_hand=max(0, int(spec.initial_stock)),
                        position=position,
                    )
                )
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


IMPORT_JOB_STALE_AFTER = timedelta(hours=2)


def import_job_fail_stale(*, idle: timedelta = IMPORT_JOB_STALE_AFTER) -> int:
    """Mark failed the jobs whose worker died mid-run (no progress for ``idle``).

    Nothing half-written stays behind: a check writes nothing and an import is one
    transaction. The manager sees the reason and uploads the file again."""
    return ImportJob.objects.filter(
        status__in=(ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING),
        updated_at__lt=timezone.now() - idle,
    ).update(
        status=ImportJob.Status.FAILED,
        error_message=_(
            "La importación se interrumpió (el proceso que la hacía se detuvo). Vuelva a subir el archivo."
        ),
        finished_at=timezone.now(),
    )


@dataclasses.dataclass(frozen=True)
class HistoryMovement:
    """A stock movement of an imported past sale: ``sale`` (negative), ``cancellation`` or
    ``return`` (positive), at the moment it happened."""

    variant_id: int
    kind: str
    quantity: int
    reference: str
    created_at: object  # an aware datetime


HISTORY_KINDS = {
    StockMovement.Kind.SALE,
    StockMovement.Kind.CANCELLATION,
    StockMovement.Kind.RETURN,
}


@transaction.atomic
def stock_history_record(*, movements: list[HistoryMovement]) -> int:
    """Record past sales' movements in bulk and move each variant's stock by their sum, so
    stock still equals its ledger. All or nothing: a variant that would go below zero raises
    OutOfStockError. Returns how many movements were written."""
    net: Counter = Counter()
    for movement in movements:
        if movement.kind not in HISTORY_KINDS or movement.quantity == 0:
            raise InventoryValidationError(_("Movimiento de stock del histórico no válido."))
        net[movement.variant_id] += movement.quantity
    for variant_id in sorted(net):  # primary-key order, as every stock lock
        delta = net[variant_id]
        if delta and not Variant.objects.filter(pk=variant_id, on_hand__gte=-delta).update(
            on_hand=F("on_hand") + delta
        ):
            sku = Variant.objects.filter(pk=variant_id).values_list("sku", flat=True).first()
            raise OutOfStockError(
                _("El histórico vende más unidades de %(sku)s de las que hay en existencias.")
                % {"sku": sku or variant_id},
                details={"variant_id": variant_id, "delta": delta},
            )
    StockMovement.objects.bulk_create(
        (
            StockMovement(
                variant_id=m.variant_id,
                kind=m.kind,
                quantity=m.quantity,
                reference=m.reference[:64],
                reason=_("Histórico importado"),
                created_at=m.created_at,
            )
            for m in movements
        ),
        batch_size=2000,
    )
    return len(movements)
