"""The catalogue, one object at a time: products, variants, categories, brands and images.

Every write keeps the derived columns true (a product's ``price_from`` and search text),
and a new variant's first stock enters through the ledger (``stock.stock_receive``).
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .. import selectors
from ..errors import InventoryValidationError, NotFoundError
from ..models import Brand, Category, Product, ProductImage, Variant
from .rules import (
    BRAND_NAME_MAX,
    CATEGORY_NAME_MAX,
    LOW_STOCK_THRESHOLD_MAX,
    POSITION_MAX,
    PRODUCT_NAME_MAX,
    STOCK_MOVEMENT_MAX,
    VariantInput,
    bounded,
    clean_specifications,
    price,
    search_document,
    unique_slug,
)
from .rules import (
    name as checked_name,
)
from .stock import stock_receive


def refresh_product(product: Product) -> None:
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
    product.search_document = search_document(
        name=product.name,
        brand=product.brand.name if product.brand_id else "",
        category_names=category_names,
        specifications=product.specifications,
        skus=product.variants.values_list("sku", flat=True),
    )
    product.save(update_fields=["price_from", "search_document", "updated_at"])


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
        price=price(spec.price, "price"),
        cost=price(spec.cost, "cost", allow_zero=True),
        low_stock_threshold=bounded(
            spec.low_stock_threshold,
            "low_stock_threshold",
            minimum=0,
            maximum=LOW_STOCK_THRESHOLD_MAX,
        ),
        is_active=spec.is_active,
        position=position,
    )
    if bounded(spec.initial_stock, "initial_stock", minimum=0, maximum=STOCK_MOVEMENT_MAX):
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
    name = checked_name(name, "name", maximum=PRODUCT_NAME_MAX)
    if not variants:
        raise InventoryValidationError(_("Un producto necesita al menos una variante."))
    skus = [v.sku.strip().upper() for v in variants]
    if len(set(skus)) != len(skus):
        raise InventoryValidationError(_("Hay SKU repetidos entre las variantes."))
    category = _check_category(category_id)
    product = Product.objects.create(
        category=category,
        brand_id=_check_brand(brand_id),
        name=name,
        slug=unique_slug(Product, slug or name),
        description=(description or "").strip(),
        specifications=clean_specifications(specifications),
        is_active=is_active,
        is_featured=is_featured,
    )
    try:
        for position, spec in enumerate(variants):
            _variant_create(product, spec, position, user_id)
    except IntegrityError:
        raise InventoryValidationError(_("Ya existe un SKU igual.")) from None
    refresh_product(product)
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
        product.name = checked_name(changes["name"], "name", maximum=PRODUCT_NAME_MAX)
    if "category_id" in changes:
        product.category = _check_category(changes["category_id"])
    if "brand_id" in changes:
        product.brand_id = _check_brand(changes["brand_id"])
    if "description" in changes:
        product.description = (changes["description"] or "").strip()
    if "specifications" in changes:
        product.specifications = clean_specifications(changes["specifications"])
    for flag in ("is_active", "is_featured"):
        if flag in changes:
            setattr(product, flag, bool(changes[flag]))
    product.save()
    refresh_product(product)


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
        variant.price = price(changes["price"], "price")
    if "cost" in changes:
        variant.cost = price(changes["cost"], "cost", allow_zero=True)
    if "options" in changes:
        variant.options = {str(k).strip(): str(v).strip() for k, v in changes["options"].items()}
    if "low_stock_threshold" in changes:
        variant.low_stock_threshold = bounded(
            changes["low_stock_threshold"],
            "low_stock_threshold",
            minimum=0,
            maximum=LOW_STOCK_THRESHOLD_MAX,
        )
    if "is_active" in changes:
        variant.is_active = bool(changes["is_active"])
    variant.save()
    refresh_product(variant.product)


@transaction.atomic
def variant_add(*, product_id: int, variant: VariantInput, user_id: int | None = None) -> int:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFoundError(_("Producto no encontrado."))
    created = _variant_create(product, variant, product.variants.count(), user_id)
    refresh_product(product)
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
    is_active: bool = True,
) -> int:
    name = checked_name(name, "name", maximum=CATEGORY_NAME_MAX)
    if parent_id and not Category.objects.filter(pk=parent_id).exists():
        raise InventoryValidationError(_("La categoría padre no existe."))
    category = Category.objects.create(
        name=name,
        name_en=(name_en or "").strip()[:CATEGORY_NAME_MAX],
        parent_id=parent_id or None,
        slug=unique_slug(Category, slug or name),
        description=description.strip(),
        icon=icon or "box",
        position=bounded(position, "position", minimum=0, maximum=POSITION_MAX),
        is_active=bool(is_active),
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
    if "name" in changes:
        changes["name"] = checked_name(changes["name"], "name", maximum=CATEGORY_NAME_MAX)
    if "position" in changes:
        changes["position"] = bounded(
            changes["position"], "position", minimum=0, maximum=POSITION_MAX
        )
    for field in ("name", "description", "icon", "position", "is_active"):
        if field in changes:
            setattr(category, field, changes[field])
    if "name_en" in changes:
        category.name_en = (changes["name_en"] or "").strip()[:CATEGORY_NAME_MAX]
    category.save()
    transaction.on_commit(selectors.category_tree_invalidate)


@transaction.atomic
def brand_create(*, name: str, slug: str = "", is_active: bool = True) -> int:
    name = checked_name(name, "name", maximum=BRAND_NAME_MAX)
    if Brand.objects.filter(name__iexact=name).exists():
        raise InventoryValidationError(
            _("La marca %(name)s ya existe.") % {"name": name}, details={"name": "duplicate"}
        )
    return Brand.objects.create(
        name=name, slug=unique_slug(Brand, slug or name), is_active=bool(is_active)
    ).pk


@transaction.atomic
def brand_update(*, brand_id: int, name: str | None = None, is_active: bool | None = None) -> None:
    brand = Brand.objects.filter(pk=brand_id).first()
    if brand is None:
        raise NotFoundError(_("Marca no encontrada."))
    if name is not None:
        brand.name = checked_name(name, "name", maximum=BRAND_NAME_MAX)
    if is_active is not None:
        brand.is_active = is_active
    brand.save()


# --- The manager's edit page ----------------------------------------------------------


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


# --- Product images ----------------------------------------------------------------

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


@transaction.atomic
def product_image_add(*, product_id: int, image, alt_text: str = "") -> int:
    """Attach an uploaded image (JPEG, PNG, WebP or GIF, up to 5 MB) to a product."""
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
