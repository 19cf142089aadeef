"""Catalogue reads: the category tree, brands, variants for other apps, the dashboard's
product, category and brand pages, and the ETL's catalogue reads.

Other apps get plain dataclasses, never models or querysets; the dashboard's own reads
(this app's pages) may return models.
"""

import dataclasses
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import translation

from apps.core.text import fold

from ..models import Brand, Category, Product, ProductImage, Variant
from .stock import low_stock_variants

CATEGORY_TREE_CACHE_KEY = "inventory:category-tree:v2"

# --- Carriers ------------------------------------------------------------------


def localized_name(*, name: str, name_en: str = "") -> str:
    """The English name for English visitors when there is one; the Spanish name otherwise."""
    language = (translation.get_language() or "es").split("-")[0]
    return name_en if language == "en" and name_en else name


@dataclasses.dataclass(frozen=True)
class CategoryNode:
    id: int
    name_es: str
    slug: str
    icon: str
    parent_id: int | None
    depth: int
    path: tuple[int, ...]  # ids from the top category down to this one
    name_en: str = ""

    @property
    def name(self) -> str:
        """The name in the active language (Spanish when no English name was given)."""
        return localized_name(name=self.name_es, name_en=self.name_en)


@dataclasses.dataclass(frozen=True)
class CategoryTree:
    nodes: dict[int, CategoryNode]
    children: dict[int | None, tuple[int, ...]]

    def by_slug(self, slug: str) -> CategoryNode | None:
        return next((node for node in self.nodes.values() if node.slug == slug), None)

    def descendants(self, category_id: int) -> list[int]:
        found, stack = [], [category_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.children.get(current, ()))
        return found

    def breadcrumbs(self, category_id: int) -> list[CategoryNode]:
        node = self.nodes.get(category_id)
        return [self.nodes[i] for i in node.path] if node else []

    def top(self) -> list[CategoryNode]:
        return [self.nodes[i] for i in self.children.get(None, ())]

    def children_of(self, category_id: int) -> list[CategoryNode]:
        return [self.nodes[i] for i in self.children.get(category_id, ())]


@dataclasses.dataclass(frozen=True)
class VariantInfo:
    """What the cart and checkout need to know about one sellable item, now."""

    id: int
    product_id: int
    sku: str
    name: str
    product_slug: str
    option_label: str
    price: Decimal
    on_hand: int
    is_active: bool
    category_ids: tuple[int, ...]
    brand_id: int | None

    @property
    def is_available(self) -> bool:
        return self.is_active and self.on_hand > 0


# --- Categories ----------------------------------------------------------------


def category_tree() -> CategoryTree:
    """The active category tree, cached (it changes rarely; services clear the cache)."""
    tree = cache.get(CATEGORY_TREE_CACHE_KEY)
    if tree is not None:
        return tree
    rows = list(
        Category.objects.filter(is_active=True)
        .order_by("position", "name")
        .values("id", "name", "name_en", "slug", "icon", "parent_id")
    )
    by_id = {row["id"]: row for row in rows}
    children: dict[int | None, list[int]] = {}
    for row in rows:
        parent = row["parent_id"] if row["parent_id"] in by_id or row["parent_id"] is None else -1
        if parent == -1:
            continue  # an active child of an inactive parent is hidden with it
        children.setdefault(parent, []).append(row["id"])
    nodes: dict[int, CategoryNode] = {}

    def walk(parent_id, path):
        for child_id in children.get(parent_id, ()):
            row = by_id[child_id]
            child_path = (*path, child_id)
            nodes[child_id] = CategoryNode(
                id=child_id,
                name_es=row["name"],
                name_en=row["name_en"],
                slug=row["slug"],
                icon=row["icon"] or "box",
                parent_id=row["parent_id"],
                depth=len(path),
                path=child_path,
            )
            walk(child_id, child_path)

    walk(None, ())
    tree = CategoryTree(
        nodes=nodes,
        children={k: tuple(i for i in v if i in nodes) for k, v in children.items()},
    )
    cache.set(CATEGORY_TREE_CACHE_KEY, tree, 300)
    return tree


def category_tree_invalidate() -> None:
    cache.delete(CATEGORY_TREE_CACHE_KEY)


def brand_list(*, active_only: bool = True) -> list[dict]:
    brands = Brand.objects.all()
    if active_only:
        brands = brands.filter(is_active=True)
    return list(brands.order_by("name").values("id", "name", "slug"))


# --- For other apps ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProductChoice:
    """A product as a picker lists it (coupon restrictions)."""

    id: int
    name: str
    brand: str
    is_active: bool


def product_choices(*, q: str = "", product_ids=None, limit: int = 20) -> list[ProductChoice]:
    """Products by id (those that exist), or found by name, brand, SKU or id, inactive too."""
    products = Product.objects.all()
    exact_id = None
    if product_ids is not None:
        products = products.filter(pk__in=[int(i) for i in product_ids])
    else:
        q = q.strip()[:100]
        if not q:
            return []
        words = Q()
        for term in fold(q).split()[:8]:
            words &= Q(search_document__icontains=term)
        if q.isdigit() and len(q) <= 18:  # an id (it fits a bigint column) comes first
            exact_id = int(q)
            words |= Q(pk=exact_id)
        products = products.filter(words)
    rows = (
        products.annotate(exact=Case(When(pk=exact_id, then=Value(0)), default=Value(1)))
        .order_by("exact", "name", "pk")
        .values("pk", "name", "brand__name", "is_active")
    )
    if product_ids is None:
        rows = rows[:limit]
    return [
        ProductChoice(
            id=row["pk"],
            name=row["name"],
            brand=row["brand__name"] or "",
            is_active=row["is_active"],
        )
        for row in rows
    ]


def variant_get_many(*, variant_ids) -> dict[int, VariantInfo]:
    """Current price and availability of the given variants (missing ids are left out)."""
    tree = category_tree()
    rows = Variant.objects.filter(pk__in=list(variant_ids)).values(
        "pk",
        "product_id",
        "sku",
        "options",
        "price",
        "on_hand",
        "is_active",
        "product__name",
        "product__slug",
        "product__is_active",
        "product__category_id",
        "product__category__is_active",
        "product__brand_id",
    )
    found = {}
    for row in rows:
        node = tree.nodes.get(row["product__category_id"])
        found[row["pk"]] = VariantInfo(
            id=row["pk"],
            product_id=row["product_id"],
            sku=row["sku"],
            name=row["product__name"],
            product_slug=row["product__slug"],
            option_label=" · ".join(str(v) for v in (row["options"] or {}).values()),
            price=row["price"],
            on_hand=row["on_hand"],
            is_active=row["is_active"]
            and row["product__is_active"]
            and row["product__category__is_active"],
            category_ids=node.path if node else (row["product__category_id"],),
            brand_id=row["product__brand_id"],
        )
    return found


def product_count() -> int:
    return Product.objects.count()


# --- Manager dashboard -------------------------------------------------------------
# These are the inventory app's own pages: they may return models and querysets.


@dataclasses.dataclass(frozen=True)
class DashboardProductFilters:
    q: str = ""
    category_id: int | None = None
    brand_id: int | None = None
    active: bool | None = None
    low_stock: bool = False


def dashboard_product_page(*, filters: DashboardProductFilters, page: int = 1, per_page: int = 25):
    """One page of products, active or not, with stock totals: two queries whatever the size."""
    products = (
        Product.objects.select_related("category", "brand")
        .annotate(
            variant_count=Coalesce(
                Subquery(
                    Variant.objects.filter(product=OuterRef("pk"))
                    .values("product")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            stock_total=Coalesce(
                Subquery(
                    Variant.objects.filter(product=OuterRef("pk"))
                    .values("product")
                    .annotate(total=Sum("on_hand"))
                    .values("total"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            has_low_stock=Exists(low_stock_variants().filter(product=OuterRef("pk"))),
        )
        .order_by("name", "pk")
    )
    q = filters.q.strip()[:100]
    if q:
        products = products.filter(Q(name__icontains=q) | Q(variants__sku__icontains=q)).distinct()
    if filters.category_id:
        products = products.filter(category_id=filters.category_id)
    if filters.brand_id:
        products = products.filter(brand_id=filters.brand_id)
    if filters.active is not None:
        products = products.filter(is_active=filters.active)
    if filters.low_stock:
        products = products.filter(has_low_stock=True)
    return Paginator(products, per_page).get_page(page)


def dashboard_product_get(*, product_id: int) -> Product | None:
    """A product, active or not, with all its variants."""
    return (
        Product.objects.select_related("category", "brand")
        .prefetch_related(Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")))
        .filter(pk=product_id)
        .first()
    )


def category_rows() -> list[dict]:
    """Every category (active or not) in tree order, each with its ``depth``."""
    rows = list(
        Category.objects.order_by("position", "name").values(
            "id", "name", "slug", "icon", "parent_id", "position", "is_active", "description"
        )
    )
    children: dict[int | None, list[dict]] = {}
    ids = {row["id"] for row in rows}
    for row in rows:
        parent = row["parent_id"] if row["parent_id"] in ids else None
        children.setdefault(parent, []).append(row)
    ordered: list[dict] = []

    def walk(parent_id, depth):
        for row in children.get(parent_id, ()):
            ordered.append({**row, "depth": depth})
            walk(row["id"], depth + 1)

    walk(None, 0)
    return ordered


def category_get(*, category_id: int) -> Category | None:
    return Category.objects.filter(pk=category_id).first()


def brand_rows() -> list[dict]:
    """Every brand (active or not) with how many products it has."""
    return list(
        Brand.objects.order_by("name")
        .annotate(product_count=Count("products"))
        .values("id", "name", "slug", "is_active", "product_count")
    )


def brand_get(*, brand_id: int) -> Brand | None:
    return Brand.objects.filter(pk=brand_id).first()


def product_images(*, product_id: int) -> list[ProductImage]:
    return list(ProductImage.objects.filter(product_id=product_id).order_by("position", "pk"))


# --- The ETL's reads: plain values, streamed ----------------------------------------------


def etl_categories() -> list[dict]:
    return list(
        Category.objects.order_by("pk").values("id", "parent_id", "name", "slug", "is_active")
    )


def etl_brands() -> list[dict]:
    return list(Brand.objects.order_by("pk").values("id", "name", "slug", "is_active"))


def etl_variants() -> Iterator[dict]:
    """Every variant with its product, category, brand, price, cost and stock now."""
    return (
        Variant.objects.order_by("pk")
        .values(
            "id",
            "product_id",
            "sku",
            "price",
            "cost",
            "on_hand",
            "is_active",
            product_name=F("product__name"),
            category_id=F("product__category_id"),
            brand_id=F("product__brand_id"),
            product_active=F("product__is_active"),
        )
        .iterator(chunk_size=5000)
    )


def etl_variant_ids_existing(*, variant_ids: Iterable[int]) -> set[int]:
    """Which of these variant ids the catalogue knows."""
    return set(Variant.objects.filter(pk__in=list(variant_ids)).values_list("pk", flat=True))
