"""Inventory reads. Other apps get plain dataclasses, never models or querysets."""

import dataclasses
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.core.replica import read_replica
from apps.core.text import fold

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

CATEGORY_TREE_CACHE_KEY = "inventory:category-tree:v2"

SORTS = {
    "relevance": _("Relevancia"),
    "bestselling": _("Más vendidos"),
    "newest": _("Novedades"),
    "price_asc": _("Precio: de menor a mayor"),
    "price_desc": _("Precio: de mayor a menor"),
    "name": _("Nombre"),
}
_ORDERING = {
    "bestselling": ("-units_sold_30d", "-created_at", "pk"),
    "newest": ("-created_at", "pk"),
    "price_asc": ("price_from", "pk"),
    "price_desc": ("-price_from", "pk"),
    "name": ("name", "pk"),
    "relevance": ("-units_sold_30d", "-created_at", "pk"),
}


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


@dataclasses.dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category_slug: str = ""
    brand_slugs: tuple[str, ...] = ()
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    sort: str = "relevance"


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


# --- Products --------------------------------------------------------------------


def _in_stock():
    return Exists(Variant.objects.filter(product=OuterRef("pk"), is_active=True, on_hand__gt=0))


def _card_price():
    """What a product card shows: the cheapest option that can be bought now, else the cheapest."""
    cheapest_available = (
        Variant.objects.filter(product=OuterRef("pk"), is_active=True, on_hand__gt=0)
        .order_by("price", "pk")
        .values("price")[:1]
    )
    return Coalesce(Subquery(cheapest_available), F("price_from"))


def _first_image():
    return Prefetch(
        "images", queryset=ProductImage.objects.order_by("position", "pk"), to_attr="image_list"
    )


def product_queryset() -> QuerySet[Product]:
    """Active products with what a product card shows: brand, category, stock, price, image."""
    return (
        Product.objects.filter(is_active=True, category__is_active=True)
        .select_related("brand", "category")
        .annotate(in_stock=_in_stock(), card_price=_card_price())
        .prefetch_related(_first_image())
    )


def _search(products: QuerySet[Product], q: str) -> QuerySet[Product]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import (
            SearchQuery,
            SearchRank,
            SearchVector,
            TrigramWordSimilarity,
        )

        vector = SearchVector("search_document", config="spanish")
        query = SearchQuery(q, config="spanish", search_type="websearch")
        matches = products.annotate(document=vector, relevance=SearchRank(vector, query)).filter(
            document=query
        )
        if matches.exists():
            return matches
        # Nothing matched word for word: tolerate typos with trigram similarity on the name.
        return products.annotate(relevance=TrigramWordSimilarity(q, "name")).filter(
            relevance__gte=0.45
        )
    for term in fold(q).split()[:8]:
        products = products.filter(search_document__icontains=term)
    return products


def product_search(*, filters: ProductFilters) -> QuerySet[Product]:
    """Filtered, sorted products for the shop pages and the API (this app's own use)."""
    products = product_queryset()
    if filters.category_slug:
        tree = category_tree()
        node = tree.by_slug(filters.category_slug)
        products = (
            products.filter(category_id__in=tree.descendants(node.id)) if node else products.none()
        )
    if filters.brand_slugs:
        products = products.filter(brand__slug__in=filters.brand_slugs)
    if filters.price_min is not None:
        products = products.filter(price_from__gte=filters.price_min)
    if filters.price_max is not None:
        products = products.filter(price_from__lte=filters.price_max)
    if filters.in_stock:
        products = products.filter(in_stock=True)
    q = filters.q.strip()[:100]
    if q:
        products = _search(products, q)
    sort = filters.sort if filters.sort in _ORDERING else "relevance"
    if sort == "relevance" and q and connection.vendor == "postgresql":
        return products.order_by("-relevance", "pk")
    return products.order_by(*_ORDERING[sort])


def product_page(*, filters: ProductFilters, page: int = 1, per_page: int = 24):
    """One page of products (a Django Page whose object_list is evaluated once)."""
    paginator = Paginator(product_search(filters=filters), per_page)
    return paginator.get_page(page)


def search_suggestions(*, q: str, limit: int = 5) -> list[str]:
    """Product names close to a search that found nothing (trigram on PostgreSQL)."""
    q = q.strip()[:100]
    if not q:
        return []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        return list(
            Product.objects.filter(is_active=True)
            .annotate(similarity=TrigramWordSimilarity(q, "name"))
            .filter(similarity__gte=0.2)
            .order_by("-similarity")
            .values_list("name", flat=True)[:limit]
        )
    words = [w for w in fold(q).split() if len(w) >= 3]
    condition = Q()
    for word in words:
        condition |= Q(search_document__icontains=word[:4])
    if not words:
        return []
    return list(
        Product.objects.filter(condition, is_active=True)
        .order_by("-units_sold_30d")
        .values_list("name", flat=True)[:limit]
    )


def product_detail(*, slug: str) -> Product | None:
    """An active product with everything its page shows (variants, images, category, brand)."""
    return (
        Product.objects.filter(slug=slug, is_active=True, category__is_active=True)
        .select_related("brand", "category")
        .annotate(in_stock=_in_stock())
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.filter(is_active=True)),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
        )
        .first()
    )


def product_by_id(*, product_id: int, include_inactive: bool = False) -> Product | None:
    """One product with its variants (for the API); managers may see inactive ones."""
    products = Product.objects.all()
    if not include_inactive:
        products = products.filter(is_active=True, category__is_active=True)
    return (
        products.filter(pk=product_id)
        .select_related("brand", "category")
        .annotate(in_stock=_in_stock())
        .prefetch_related(Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")))
        .first()
    )


def product_related(*, product_id: int, category_id: int, limit: int = 4) -> list[Product]:
    return list(
        product_queryset()
        .filter(category_id=category_id)
        .exclude(pk=product_id)
        .order_by("-units_sold_30d", "-created_at")[:limit]
    )


def product_home_sections(*, limit: int = 8) -> dict[str, list[Product]]:
    return {
        "featured": list(
            product_queryset().filter(is_featured=True).order_by("-units_sold_30d", "pk")[:limit]
        ),
        "new": list(product_queryset().order_by("-created_at", "pk")[:limit]),
    }


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


def stock_ledger_mismatches() -> list[dict]:
    """Variants whose on_hand differs from the sum of their ledger (should always be empty)."""
    ledger = (
        StockMovement.objects.filter(variant=OuterRef("pk"))
        .values("variant")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return list(
        Variant.objects.annotate(
            ledger=Coalesce(Subquery(ledger, output_field=IntegerField()), Value(0))
        )
        .exclude(on_hand=F("ledger"))
        .values("pk", "sku", "on_hand", "ledger")
    )


def variant_stock(*, variant_id: int) -> int:
    return Variant.objects.values_list("on_hand", flat=True).get(pk=variant_id)


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


def _low_stock_variants() -> QuerySet[Variant]:
    return Variant.objects.filter(is_active=True, on_hand__lte=F("low_stock_threshold"))


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
            has_low_stock=Exists(_low_stock_variants().filter(product=OuterRef("pk"))),
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


def dashboard_variant_get(*, variant_id: int) -> Variant | None:
    return Variant.objects.select_related("product").filter(pk=variant_id).first()


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


@dataclasses.dataclass(frozen=True)
class MovementFilters:
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    product_id: int | None = None


def movement_page(*, filters: MovementFilters, page: int = 1, per_page: int = 50):
    """The stock ledger, newest first, filtered; dates are days in the shop's time zone."""
    return Paginator(movement_search(filters=filters), per_page).get_page(page)


def movement_search(*, filters: MovementFilters):
    """Every movement the filters select, newest first (the page and the export)."""
    movements = StockMovement.objects.select_related("variant__product", "user").order_by(
        "-created_at", "-pk"
    )
    if filters.kind:
        movements = movements.filter(kind=filters.kind)
    if filters.date_from:
        movements = movements.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        movements = movements.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    q = filters.q.strip()[:64]
    if q:
        movements = movements.filter(Q(variant__sku__icontains=q) | Q(reference__icontains=q))
    if filters.product_id:
        movements = movements.filter(variant__product_id=filters.product_id)
    return movements


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def low_stock_count() -> int:
    """How many active variants of active products are at or below their threshold."""
    return _low_stock_variants().filter(product__is_active=True).count()


def low_stock_list() -> list[Variant]:
    """Active variants at or below their threshold, emptiest first."""
    return list(
        _low_stock_variants()
        .filter(product__is_active=True)
        .select_related("product", "product__category")
        .order_by("on_hand", "sku")
    )


@dataclasses.dataclass(frozen=True)
class ValuationRow:
    category_id: int
    category: str
    variants: int
    units: int
    value: Decimal


@dataclasses.dataclass(frozen=True)
class Valuation:
    rows: list[ValuationRow]
    units: int
    value: Decimal


def inventory_valuation() -> Valuation:
    """Stock at cost (cost times on hand) by category, summed as Decimal in Python.

    SQLite sums decimals as floats, so the products are added here, exactly.
    """
    totals: dict[int, list] = {}
    stock = (
        Variant.objects.filter(on_hand__gt=0)
        .values_list("product__category_id", "product__category__name", "cost", "on_hand")
        .order_by()
    )
    with read_replica():  # every variant in stock: a heavy read, fine a moment behind
        for category_id, name, cost, on_hand in stock.iterator(chunk_size=2000):
            entry = totals.setdefault(category_id, [name, 0, 0, Decimal("0.00")])
            entry[1] += 1
            entry[2] += on_hand
            entry[3] += cost * on_hand
    rows = sorted(
        (
            ValuationRow(
                category_id=category_id, category=name, variants=count, units=units, value=value
            )
            for category_id, (name, count, units, value) in totals.items()
        ),
        key=lambda row: (-row.value, row.category),
    )
    return Valuation(
        rows=rows,
        units=sum(row.units for row in rows),
        value=sum((row.value for row in rows), Decimal("0.00")),
    )


# --- Catalogue import jobs ---------------------------------------------------------------

IMPORT_JOB_RUNNING = (
    ImportJob.Status.QUEUED,
    ImportJob.Status.VALIDATING,
    ImportJob.Status.IMPORTING,
)


def import_job_progress_key(job_id: int) -> str:
    """Where the import pass counts its rows: its own UPDATEs are invisible until it commits."""
    return f"inventory:import-job:{job_id}:processed"


@dataclasses.dataclass(frozen=True)
class ImportJobInfo:
    id: int
    kind: str
    kind_label: str
    filename: str
    format: str
    status: str
    status_label: str
    dry_run: bool
    background: bool
    total_rows: int
    processed_rows: int
    progress_known: bool  # False while importing without a shared cache: show the phase only
    new_count: int
    updated_count: int
    unchanged_count: int
    error_count: int
    error_message: str
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def running(self) -> bool:
        return self.status in IMPORT_JOB_RUNNING

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if not self.running else 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def can_confirm(self) -> bool:
        return (
            self.status == ImportJob.Status.DRY_RUN_DONE
            and not self.error_count
            and self.processed_rows > 0
        )


def _import_job_info(job: ImportJob) -> ImportJobInfo:
    processed, known = job.processed_rows, True
    if job.status == ImportJob.Status.IMPORTING:
        cached = cache.get(import_job_progress_key(job.pk))
        processed, known = (cached, True) if cached is not None else (0, False)
    return ImportJobInfo(
        id=job.pk,
        kind=job.kind,
        kind_label=job.get_kind_display(),
        filename=job.original_filename,
        format=job.format,
        status=job.status,
        status_label=job.get_status_display(),
        dry_run=job.dry_run,
        background=job.background,
        total_rows=job.total_rows,
        processed_rows=processed,
        progress_known=known,
        new_count=job.new_count,
        updated_count=job.updated_count,
        unchanged_count=job.unchanged_count,
        error_count=job.error_count,
        error_message=job.error_message,
        created_by=job.created_by.email if job.created_by_id else "",
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def import_job_get(*, job_id: int) -> ImportJobInfo | None:
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    return _import_job_info(job) if job is not None else None


def import_job_list(*, limit: int = 10) -> list[ImportJobInfo]:
    """The most recent import jobs, newest first."""
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-pk")[:limit]
    return [_import_job_info(job) for job in jobs]


def import_job_row_page(
    *, job_id: int, errors_only: bool = False, page: int = 1, per_page: int = 50
):
    """A job's row report, errors first (or errors only), then in file order."""
    rows = ImportJobRow.objects.filter(job_id=job_id)
    if errors_only:
        rows = rows.filter(action=ImportJobRow.Action.ERROR).order_by("row_number")
    else:
        rows = rows.order_by(
            Case(When(action=ImportJobRow.Action.ERROR, then=Value(0)), default=Value(1)),
            "row_number",
        )
    return Paginator(rows.only("row_number", "action", "key", "errors"), per_page).get_page(page)


def product_images(*, product_id: int) -> list[ProductImage]:
    return list(ProductImage.objects.filter(product_id=product_id).order_by("position", "pk"))


def variant_ids_in_stock(*, limit: int = 500) -> list[int]:
    """Ids of active variants with stock (for demo data and tools)."""
    return list(
        Variant.objects.filter(is_active=True, product__is_active=True, on_hand__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


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


ETL_MOVEMENT_FIELDS = ("id", "variant_id", "kind", "quantity", "reference", "created_at")


def etl_stock_movements(
    *, since: datetime | None = None, until: datetime | None = None, ids: Iterable[int] = ()
) -> Iterator[dict]:
    """Stock movements made in ``[since, until)`` (or with these ids), streamed."""
    movements = StockMovement.objects.all()
    if since is not None:
        movements = movements.filter(created_at__gte=since)
    if until is not None:
        movements = movements.filter(created_at__lt=until)
    if ids:
        movements = movements.filter(pk__in=list(ids))
    return (
        movements.order_by("pk")
        .values(*ETL_MOVEMENT_FIELDS, product_id=F("variant__product_id"))
        .iterator(chunk_size=5000)
    )


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
