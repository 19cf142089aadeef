"""Stock reads: the ledger, its movements, low stock, the valuation at cost, the ETL's
movements."""

import dataclasses
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.replica import read_replica

from ..models import StockMovement, Variant


def low_stock_variants() -> QuerySet[Variant]:
    return Variant.objects.filter(is_active=True, on_hand__lte=F("low_stock_threshold"))


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


def dashboard_variant_get(*, variant_id: int) -> Variant | None:
    return Variant.objects.select_related("product").filter(pk=variant_id).first()


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
    return low_stock_variants().filter(product__is_active=True).count()


def low_stock_list() -> list[Variant]:
    """Active variants at or below their threshold, emptiest first."""
    return list(
        low_stock_variants()
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


def variant_ids_in_stock(*, limit: int = 500) -> list[int]:
    """Ids of active variants with stock (for demo data and tools)."""
    return list(
        Variant.objects.filter(is_active=True, product__is_active=True, on_hand__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


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
