"""The shop's catalogue pages: home, product list (with category), product page."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import selectors

PER_PAGE_CHOICES = (12, 24, 48)


def _decimal(value: str) -> Decimal | None:
    try:
        amount = Decimal(value.replace(",", "."))
    except (InvalidOperation, ValueError, AttributeError):
        return None
    return amount if amount >= 0 and amount.is_finite() else None


def _filters(request, *, category_slug: str = "") -> selectors.ProductFilters:
    """Read the filters from the query string; what does not parse is ignored."""
    params = request.GET
    sort = params.get("orden", "relevance")
    return selectors.ProductFilters(
        q=params.get("q", "").strip()[:100],
        category_slug=category_slug or params.get("categoria", "").strip(),
        brand_slugs=tuple(sorted({slug for slug in params.getlist("marca") if slug})),
        price_min=_decimal(params.get("precio_min", "")),
        price_max=_decimal(params.get("precio_max", "")),
        in_stock=params.get("disponible") == "1",
        sort=sort if sort in selectors.SORTS else "relevance",
    )


def _per_page(request) -> int:
    try:
        value = int(request.GET.get("por_pagina", 24))
    except ValueError:
        return 24
    return value if value in PER_PAGE_CHOICES else 24


def home(request):
    tree = selectors.category_tree()
    sections = selectors.product_home_sections()
    return render(
        request,
        "inventory/home.html",
        {"top_categories": tree.top(), "featured": sections["featured"], "new": sections["new"]},
    )


def _listing(request, *, category=None):
    tree = selectors.category_tree()
    filters = _filters(request, category_slug=category.slug if category else "")
    page = selectors.product_page(
        filters=filters, page=request.GET.get("pagina", 1), per_page=_per_page(request)
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "page": page,
        "products": page.object_list,
        "filters": filters,
        "category": category,
        "breadcrumbs": tree.breadcrumbs(category.id) if category else [],
        "subcategories": tree.children_of(category.id) if category else tree.top(),
        "brands": selectors.brand_list(),
        "sorts": selectors.SORTS,
        "per_page_choices": PER_PAGE_CHOICES,
        "per_page": _per_page(request),
        "querystring": query.urlencode(),
        "suggestions": selectors.search_suggestions(q=filters.q)
        if filters.q and not page.paginator.count
        else [],
    }
    return render(request, "inventory/product_list.html", context)


def product_list(request):
    return _listing(request)


def category_detail(request, slug):
    category = selectors.category_tree().by_slug(slug)
    if category is None:
        raise Http404(_("Categoría no encontrada"))
    return _listing(request, category=category)


def product_detail(request, slug):
    product = selectors.product_detail(slug=slug)
    if product is None:
        raise Http404(_("Producto no encontrado"))
    variants = list(product.variants.all())
    chosen_sku = request.GET.get("variante", "")
    selected = next((v for v in variants if v.sku == chosen_sku), None) or next(
        (v for v in variants if v.on_hand > 0), variants[0] if variants else None
    )
    tree = selectors.category_tree()
    return render(
        request,
        "inventory/product_detail.html",
        {
            "product": product,
            "variants": variants,
            "selected": selected,
            "max_quantity": min(selected.on_hand, settings.CART_MAX_PER_LINE) if selected else 0,
            "images": list(product.images.all()),
            "breadcrumbs": tree.breadcrumbs(product.category_id),
            "related": selectors.product_related(
                product_id=product.pk, category_id=product.category_id
            ),
        },
    )
