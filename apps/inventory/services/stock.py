"""The stock ledger: reserve, return, receive, adjust, set a counted level.

Stock only changes here, and every change writes a ``StockMovement`` in the same
transaction, so a variant's ``on_hand`` always equals the sum of its ledger.
``stock_reserve`` is the checkout's call: an all-or-nothing conditional update
per variant, in primary-key order (so concurrent checkouts over the same items
queue instead of deadlocking), with the ``on_hand >= 0`` constraint as the last
guard.
"""

import dataclasses
from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import (
    InventoryValidationError,
    NotFoundError,
    OutOfStockError,
    ProductUnavailableError,
)
from ..models import Product, StockMovement, Variant
from .bulk_writes import update_rows
from .rules import ON_HAND_MAX, STOCK_MOVEMENT_MAX, StockLine, bounded

STOCK_IMPORT_REASON = "Importación de existencias"


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
    quantity = bounded(quantity, "quantity", minimum=1, maximum=STOCK_MOVEMENT_MAX)
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
    delta = bounded(delta, "delta", minimum=-ON_HAND_MAX, maximum=ON_HAND_MAX)
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


# --- Many levels at once (catalogue imports) ----------------------------------------------


def _locked_levels(variant_ids) -> dict[int, int]:
    """The current stock of these variants, their rows locked in primary-key order (on SQLite
    the IMMEDIATE transaction already holds the database's write lock)."""
    return dict(
        Variant.objects.select_for_update()
        .filter(pk__in=list(variant_ids))
        .order_by("pk")
        .values_list("pk", "on_hand")
    )


def _write_levels(
    current: dict[int, int], targets: dict[int, int], *, reason: str, user_id: int | None
) -> dict[int, int]:
    deltas = {pk: targets[pk] - current[pk] for pk in sorted(targets) if targets[pk] != current[pk]}
    update_rows(Variant, ["on_hand"], [Variant(pk=pk, on_hand=targets[pk]) for pk in deltas])
    StockMovement.objects.bulk_create(
        StockMovement(
            variant_id=pk,
            kind=StockMovement.Kind.ADJUSTMENT,
            quantity=delta,
            reason=reason,
            user_id=user_id,
        )
        for pk, delta in deltas.items()
    )
    return deltas


@transaction.atomic
def stock_levels_set(*, levels: dict[int, int], reason: str, user_id: int | None) -> dict[int, int]:
    """Bring many variants to counted levels, each change an adjustment in the ledger: one
    locking read, one UPDATE and one INSERT. Returns the delta applied to each variant that
    moved. NotFoundError when a variant is gone; levels are checked by the caller's rules
    (0..ON_HAND_MAX)."""
    current = _locked_levels(levels)
    missing = set(levels) - set(current)
    if missing:
        raise NotFoundError(_("Variante no encontrada."), details={"variant_ids": sorted(missing)})
    return _write_levels(current, levels, reason=reason, user_id=user_id)


@transaction.atomic
def stock_levels_shift_back(
    *, deltas: dict[int, int], reason: str, user_id: int | None
) -> dict[int, int]:
    """Undo adjustments (an aborted import): each variant moves back by its delta through a
    new adjustment, never below zero (units sold since then stay sold). Variants gone since
    are skipped. Returns the deltas written."""
    current = _locked_levels(deltas)
    targets = {
        pk: min(ON_HAND_MAX, max(0, on_hand - deltas[pk])) for pk, on_hand in current.items()
    }
    return _write_levels(current, targets, reason=reason, user_id=user_id)


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
