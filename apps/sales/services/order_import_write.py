"""Order history, written in bulk: orders with their lines, payment, refunds, ledger entries
and one history event each, a batch of whole orders per transaction.

PostgreSQL: ids are taken from the tables' sequences and every table is filled with
``COPY``. Elsewhere: ``bulk_create`` in batches. No events are published (a past order
sends no e-mail); the ETL picks the orders up by their ``updated_at``, the moment of import.
"""

import itertools
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import services as accounts_services
from apps.core.money import money
from apps.inventory import selectors as inventory_selectors
from apps.inventory import services as inventory_services

from ..models import LedgerEntry, Order, OrderEvent, OrderLine, Payment, Refund
from .order_import import (
    STOCK_MODES,
    STOCK_MOVEMENTS,
    HistoryOrder,
    OrderImportError,
    OrderImportReport,
    RowError,
    order_problems,
)

PROVIDER = "historico"
NOTE = "Importado del histórico"


def _tax(total: Decimal) -> Decimal:
    return money(total - total / (1 + settings.SHOP_VAT_RATE))


def _order_values(order: HistoryOrder, customer_id: int, now) -> dict:
    total = order.computed_total
    return {
        "number": order.number.strip(),
        "customer_id": customer_id,
        "email": order.email.strip().lower(),
        "status": order.status,
        "payment_method": order.payment_method,
        "shipping_method": order.shipping_method,
        "ship_name": order.name[:150],
        "ship_line1": "",
        "ship_line2": "",
        "ship_postal_code": order.postal_code[:12],
        "ship_city": order.city[:100],
        "ship_province": order.province[:100],
        "ship_country": (order.country or "ES")[:2].upper(),
        "ship_phone": "",
        "subtotal": order.subtotal,
        "discount": order.discount,
        "shipping": order.shipping,
        "tax": _tax(total),
        "total": total,
        "refunded": order.refunded,
        "coupon_code": order.coupon_code.strip().upper()[:40],
        "created_at": order.created_at,
        "updated_at": now,
        "paid_at": order.paid_at,
    }


def _payment_status(order: HistoryOrder) -> str:
    if order.paid_at is None:
        return Payment.Status.CANCELLED if order.status == Order.Status.CANCELLED else "pending"
    if order.refunds and order.refunded == order.computed_total:
        return Payment.Status.REFUNDED
    return Payment.Status.CAPTURED


def _children(order: HistoryOrder, order_id: int, payment_id: int, refs: dict) -> dict:
    """Everything hanging from one order, as dicts of column values (ids of the parents)."""
    lines = []
    for line in order.lines:
        ref = refs[line.sku.strip().upper()]
        lines.append(
            {
                "order_id": order_id,
                "variant_id": ref.id,
                "product_id": ref.product_id,
                "sku": ref.sku,
                "name": ref.name[:200],
                "option_label": ref.option_label[:200],
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "line_total": line.amount,
                "discount": line.discount,
                "refunded_quantity": line.refunded_quantity,
            }
        )
    common = {"order_id": order_id, "payment_id": payment_id}
    refunds, ledger = [], []
    if order.paid_at:
        ledger.append(
            {**common, "kind": "sale", "method": order.payment_method,
             "amount": order.computed_total, "note": NOTE, "at": order.paid_at}
        )  # fmt: skip
    for refund in order.refunds:
        refunds.append(
            {**common, "amount": refund.amount, "status": Refund.Status.SUCCEEDED, "note": NOTE,
             "by_id": None, "provider_reference": "", "failure_message": "",
             "created_at": refund.at, "claimed_at": refund.at, "completed_at": refund.at}
        )  # fmt: skip
        ledger.append(
            {**common, "kind": "refund", "method": order.payment_method,
             "amount": -refund.amount, "note": NOTE, "at": refund.at}
        )  # fmt: skip
    event = {"order_id": order_id, "from_status": "", "to_status": order.status, "note": NOTE,
             "by_id": None, "at": order.created_at}  # fmt: skip
    return {"lines": lines, "refunds": refunds, "ledger": ledger, "events": [event]}


def _payment_values(order: HistoryOrder, order_id: int) -> dict:
    return {
        "order_id": order_id,
        "method": order.payment_method,
        "status": _payment_status(order),
        "amount": order.computed_total,
        "provider": PROVIDER,
        "provider_reference": "",
        "card_token": "",
        "card_brand": "",
        "card_last4": "",
        "failure_code": "",
        "failure_message": "",
        "created_at": order.created_at,
        "captured_at": order.paid_at,
    }


CHILD_MODELS = {"lines": OrderLine, "refunds": Refund, "ledger": LedgerEntry, "events": OrderEvent}


# --- PostgreSQL: COPY ---------------------------------------------------------------------


def _reserve_ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model, rows: list[dict], ids: list[int] | None = None) -> None:
    if not rows:
        return
    columns = list(rows[0])
    names = (["id"] if ids else []) + columns
    sql = f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        if ids:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row.values()))
        else:
            for row in rows:
                copy.write_row(tuple(row.values()))


def _write_copy(batch: list[tuple[HistoryOrder, int]], refs: dict, now) -> None:
    order_ids = _reserve_ids(Order, len(batch))
    payment_ids = _reserve_ids(Payment, len(batch))
    _copy(Order, [_order_values(o, customer, now) for o, customer in batch], order_ids)
    _copy(Payment, [_payment_values(o, pk) for (o, _c), pk in zip(batch, order_ids, strict=True)], payment_ids)  # fmt: skip
    children = {name: [] for name in CHILD_MODELS}
    for (order, _c), order_id, payment_id in zip(batch, order_ids, payment_ids, strict=True):
        for name, rows in _children(order, order_id, payment_id, refs).items():
            children[name].extend(rows)
    for name, model in CHILD_MODELS.items():
        _copy(model, children[name])


# --- Elsewhere: bulk_create ---------------------------------------------------------------


def _write_orm(batch: list[tuple[HistoryOrder, int]], refs: dict, now) -> None:
    orders = [Order(**_order_values(o, customer, now)) for o, customer in batch]
    Order.objects.bulk_create(orders, batch_size=500)
    if any(o.pk is None for o in orders):  # MySQL/MariaDB hand back no ids
        ids = dict(
            Order.objects.filter(number__in=[o.number for o in orders]).values_list("number", "pk")
        )
        for o in orders:
            o.pk = ids[o.number]
    payments = [Payment(**_payment_values(o, row.pk)) for (o, _c), row in zip(batch, orders, strict=True)]  # fmt: skip
    Payment.objects.bulk_create(payments, batch_size=500)
    if any(p.pk is None for p in payments):
        ids = dict(
            Payment.objects.filter(order_id__in=[o.pk for o in orders]).values_list(
                "order_id", "pk"
            )
        )
        for p in payments:
            p.pk = ids[p.order_id]
    children = {name: [] for name in CHILD_MODELS}
    for (order, _c), row, payment in zip(batch, orders, payments, strict=True):
        for name, rows in _children(order, row.pk, payment.pk, refs).items():
            children[name].extend(CHILD_MODELS[name](**values) for values in rows)
    for name, model in CHILD_MODELS.items():
        model.objects.bulk_create(children[name], batch_size=500)


# --- Stock ---------------------------------------------------------------------------------


def history_movements(order: HistoryOrder, refs: dict) -> list:
    """Sold units out at the order's time; cancelled units back at the end; refunded units
    back when the last refund was paid."""
    Movement = inventory_services.HistoryMovement
    moves = []
    number = order.number.strip()
    back_at = max([r.at for r in order.refunds] or [order.paid_at or order.created_at])
    for line in order.lines:
        variant_id = refs[line.sku.strip().upper()].id
        moves.append(Movement(variant_id, "sale", -line.quantity, number, order.created_at))
        if line.refunded_quantity:
            moves.append(Movement(variant_id, "return", line.refunded_quantity, number, back_at))
        rest = line.quantity - line.refunded_quantity
        if order.status == Order.Status.CANCELLED and rest:
            moves.append(Movement(variant_id, "cancellation", rest, number, back_at))
    return moves


# --- The service ---------------------------------------------------------------------------


def check_batch(batch: list[HistoryOrder], report: OrderImportReport, refs: dict, now):
    """The batch's orders not yet in the shop, each checked; errors go to the report."""
    numbers = [o.number.strip() for o in batch if o.number]
    existing = set(Order.objects.filter(number__in=numbers).values_list("number", flat=True))
    known, fresh, seen = set(refs), [], set()
    for order in batch:
        report.orders += 1
        report.lines += len(order.lines)
        number = (order.number or "").strip()
        if number in existing:
            report.skipped += 1
            continue
        if number in seen:
            report.add_error(RowError(order.row, number, _("Número de pedido repetido.")))
            continue
        seen.add(number)
        problems = order_problems(order, known_skus=known, now=now)
        for message in problems:
            report.add_error(RowError(order.row, order.number, message))
        if not problems:
            fresh.append(order)
    return fresh


@transaction.atomic
def _write(fresh: list[HistoryOrder], refs: dict, stock: str, now) -> None:
    customers = accounts_services.customer_ids_ensure(emails=[o.email for o in fresh])
    batch = [(o, customers[o.email.strip().lower()]) for o in fresh]
    if connection.vendor == "postgresql":
        _write_copy(batch, refs, now)
    else:
        _write_orm(batch, refs, now)
    if stock == STOCK_MOVEMENTS:
        moves = list(itertools.chain.from_iterable(history_movements(o, refs) for o in fresh))
        inventory_services.stock_history_record(movements=moves)


def order_history_load(
    *,
    orders: Iterable[HistoryOrder],
    stock: str,
    batch_size: int = 2000,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> OrderImportReport:
    """Check and write past orders, ``batch_size`` whole orders per transaction.

    Orders whose number the shop already has are skipped (so an import that stopped half-way
    can simply run again). A batch with any error writes nothing and stops the load with
    ``OrderImportError`` (``details``: the errors); ``order_history_import`` checks a whole
    file first, so a file with an error writes nothing at all. ``stock``: ``untouched``
    (history only) or ``movements`` (the stock ledger records what the history sold; a
    variant it would take below zero stops the load)."""
    if stock not in STOCK_MODES:
        raise OrderImportError(_("Modo de stock desconocido: %(mode)s.") % {"mode": stock})
    report = OrderImportReport(stock=stock, dry_run=dry_run)
    now = timezone.now()
    iterator = iter(orders)
    while batch := list(itertools.islice(iterator, batch_size)):
        refs = inventory_selectors.variant_refs_by_sku(
            skus=[line.sku for order in batch for line in order.lines]
        )
        fresh = check_batch(batch, report, refs, now)
        if not report.ok:
            raise OrderImportError(
                _("El histórico tiene %(count)s errores; no se ha escrito este lote.")
                % {"count": report.error_count},
                details=[str(error) for error in report.errors],
            )
        if fresh and not dry_run:
            _write(fresh, refs, stock, now)
            report.imported += len(fresh)
        if progress:
            progress(report.orders)
    return report
