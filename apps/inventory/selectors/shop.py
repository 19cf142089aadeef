"""The shop's product reads: search, filters, sorting, pages, product pages, home sections.
These are the inventory app's own pages and API: they return models and querysets."""

import dataclasses
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from apps.core.text import fold

from ..models import Product, ProductImage, Variant
from .catalogue import category_tree

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


@dataclasses.dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category_slug: str = ""
    brand_slugs: tuple[str, ...] = ()
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    sort: str = "relevance"


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
