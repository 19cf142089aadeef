"""Catalogue and stock API: public reads, manager writes."""

from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.bounds import Id
from apps.core.openapi import errors
from apps.core.paging import ApiPageNumberPagination

from . import selectors, services

router = Router(tags=["catalogue"])  # anyone: the catalogue
manager_router = Router(tags=["catalogue"])  # managers: mounted with manager auth


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    parent_id: int | None
    depth: int


class VariantOut(Schema):
    id: int
    sku: str
    options: dict[str, str]
    price: Decimal
    on_hand: int
    is_active: bool


class ProductOut(Schema):
    id: int
    name: str
    slug: str
    brand: str | None = Field(None, alias="brand.name")
    category_id: int
    price_from: Decimal
    in_stock: bool


class ProductDetailOut(ProductOut):
    description: str
    specifications: list[list[str]]
    variants: list[VariantOut]

    @staticmethod
    def resolve_variants(product):
        return list(product.variants.all())


class ProductFilterIn(Schema):
    q: str = Field("", max_length=100)
    category: str = Field("", max_length=140, description="category slug (includes subcategories)")
    brand: list[str] = Field(default_factory=list, description="brand slugs")
    price_min: Decimal | None = Field(None, ge=0)
    price_max: Decimal | None = Field(None, ge=0)
    in_stock: bool = False
    sort: str = Field("relevance", pattern="^(" + "|".join(selectors.SORTS) + ")$")


class VariantIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    price: Decimal = Field(..., gt=0, max_digits=10, decimal_places=2)
    cost: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    options: dict[str, str] = Field(default_factory=dict)
    low_stock_threshold: int = Field(5, ge=0, le=services.LOW_STOCK_THRESHOLD_MAX)
    initial_stock: int = Field(0, ge=0, le=services.STOCK_MOVEMENT_MAX)


class ProductIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    category_id: Id
    brand_id: Id | None = None
    description: str = ""
    specifications: list[tuple[str, str]] = Field(default_factory=list)
    is_active: bool = True
    is_featured: bool = False
    variants: list[VariantIn] = Field(..., min_length=1)


class ProductPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    category_id: Id | None = None
    brand_id: Id | None = None
    description: str | None = None
    specifications: list[tuple[str, str]] | None = None
    is_active: bool | None = None
    is_featured: bool | None = None


class StockReceiveIn(Schema):
    variant_id: Id
    quantity: int = Field(..., gt=0, le=services.STOCK_MOVEMENT_MAX)
    reason: str = Field("", max_length=255)
    reference: str = Field("", max_length=64)


class StockAdjustIn(Schema):
    variant_id: Id
    delta: int = Field(..., ge=-services.STOCK_MOVEMENT_MAX, le=services.STOCK_MOVEMENT_MAX)
    reason: str = Field(..., min_length=1, max_length=255)


class StockOut(Schema):
    variant_id: int
    on_hand: int


@router.get("/categories", response=list[CategoryOut])
def category_list(request):
    return list(selectors.category_tree().nodes.values())


@router.get("/products", response=list[ProductOut])
@paginate(ApiPageNumberPagination, page_size=24)
def product_list(request, filters: Query[ProductFilterIn]):
    return selectors.product_search(
        filters=selectors.ProductFilters(
            q=filters.q,
            category_slug=filters.category,
            brand_slugs=tuple(filters.brand),
            price_min=filters.price_min,
            price_max=filters.price_max,
            in_stock=filters.in_stock,
            sort=filters.sort,
        )
    )


@router.get("/products/{int:product_id}", response=ProductDetailOut)
def product_get(request, product_id: int):
    product = selectors.product_by_id(product_id=product_id)
    if product is None:
        raise Http404
    return product


@manager_router.post("/products", response={201: ProductDetailOut})
def product_create(request, payload: ProductIn):
    product_id = services.product_create(
        name=payload.name,
        category_id=payload.category_id,
        brand_id=payload.brand_id,
        description=payload.description,
        specifications=payload.specifications,
        is_active=payload.is_active,
        is_featured=payload.is_featured,
        variants=[services.VariantInput(**variant.dict()) for variant in payload.variants],
        user_id=request.auth.pk,
    )
    return Status(201, selectors.product_by_id(product_id=product_id, include_inactive=True))


@manager_router.patch("/products/{int:product_id}", response=ProductDetailOut)
def product_update(request, product_id: int, payload: ProductPatch):
    services.product_update(product_id=product_id, **payload.dict(exclude_unset=True))
    return selectors.product_by_id(product_id=product_id, include_inactive=True)


@manager_router.post("/stock/receive", response={200: StockOut, **errors(404)})
def stock_receive(request, payload: StockReceiveIn):
    on_hand = services.stock_receive(
        variant_id=payload.variant_id,
        quantity=payload.quantity,
        reason=payload.reason,
        reference=payload.reference,
        user_id=request.auth.pk,
    )
    return {"variant_id": payload.variant_id, "on_hand": on_hand}


@manager_router.post("/stock/adjust", response={200: StockOut, **errors(404, 409)})
def stock_adjust(request, payload: StockAdjustIn):
    on_hand = services.stock_adjust(
        variant_id=payload.variant_id,
        delta=payload.delta,
        reason=payload.reason,
        user_id=request.auth.pk,
    )
    return {"variant_id": payload.variant_id, "on_hand": on_hand}
