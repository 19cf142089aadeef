"""Sales reads. Customers only ever see their own orders."""

import contextlib
import dataclasses
import itertools
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.core.money import ZERO, money, money_sum, money_total

from .models import IdempotencyKey, LedgerEntry, Order, OrderEvent, OrderLine, Payment, Refund


def order_for_email(*, number: str) -> Order | None:
    return Order.objects.filter(number=number).prefetch_related("lines").first()


def customer_orders(*, customer_id: int) -> QuerySet[Order]:
    """The orders a customer sees: their own, less the card attempts the gateway refused
    (those are kept for managers as failed payments, never shown as orders)."""
    return Order.objects.filter(customer_id=customer_id).exclude(status=Order.Status.PAYMENT_FAILED)


def order_list_for_customer(*, customer_id: int, page: int = 1, per_page: int = 20):
    orders = (
        customer_orders(customer_id=customer_id)
        .prefetch_related("lines")
        .order_by("-created_at", "-pk")
    )
    return Paginator(orders, per_page).get_page(page)


def _with_everything(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("customer").prefetch_related(
        "lines",
        Prefetch("payments", queryset=Payment.objects.order_by("pk")),
        Prefetch("history", queryset=OrderEvent.objects.select_related("by").order_by("at", "pk")),
        Prefetch("ledger", queryset=LedgerEntry.objects.order_by("at", "pk")),
        Prefetch("refunds", queryset=Refund.objects.order_by("pk")),
    )


def order_get_for_customer(*, number: str, customer_id: int) -> Order | None:
    """The customer's own order, or None (another customer's order is simply not found)."""
    return _with_everything(customer_orders(customer_id=customer_id).filter(number=number)).first()


def order_get(*, number: str) -> Order | None:
    """Any order (managers)."""
    return _with_everything(Order.objects.filter(number=number)).first()


@dataclasses.dataclass(frozen=True)
class OrderFilters:
    q: str = ""  # order number or customer e-mail
    status: str = ""
    payment_method: str = ""
    coupon: str = ""
    date_from: date | None = None
    date_to: date | None = None


def order_search(*, filters: OrderFilters) -> QuerySet[Order]:
    orders = Order.objects.all()
    q = filters.q.strip()
    if q:
        orders = orders.filter(Q(number__iexact=q) | Q(number__icontains=q) | Q(email__icontains=q))
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.payment_method:
        orders = orders.filter(payment_method=filters.payment_method)
    if filters.coupon:
        orders = orders.filter(coupon_code__iexact=filters.coupon.strip())
    zone = timezone.get_current_timezone()
    if filters.date_from:
        orders = orders.filter(created_at__gte=datetime.combine(filters.date_from, time.min, zone))
    if filters.date_to:
        orders = orders.filter(created_at__lte=datetime.combine(filters.date_to, time.max, zone))
    return orders.order_by("-created_at", "-pk")


def order_lines(*, order_id: int) -> list[OrderLine]:
    return list(OrderLine.objects.filter(order_id=order_id).order_by("pk"))


def customer_has_orders(*, customer_id: int, excluding_order_id: int | None = None) -> bool:
    """Whether the customer has an order that counts (not cancelled, not a refused card)."""
    return (
        Order.objects.filter(customer_id=customer_id)
        .exclude(status__in=(Order.Status.CANCELLED, Order.Status.PAYMENT_FAILED))
        .exclude(pk=excluding_order_id)
        .exists()
    )


REFUNDABLE_STATUSES = frozenset(
    {Order.Status.PAID, Order.Status.PREPARING, Order.Status.SHIPPED, Order.Status.DELIVERED}
)
REFUNDS_IN_FLIGHT = frozenset({Refund.Status.PENDING, Refund.Status.PROCESSING})


def order_refundable(order: Order) -> Decimal:
    """What can still be refunded on ``order``: its total, less what was refunded and what is
    being paid out; zero when it was never paid or is past refunding. The one rule for the
    refund form, the API and the service (which calls it with the order's row locked)."""
    if order.paid_at is None or order.status not in REFUNDABLE_STATUSES:
        return ZERO
    in_flight = sum(
        (refund.amount for refund in order.refunds.all() if refund.status in REFUNDS_IN_FLIGHT),
        ZERO,
    )
    return money(order.total - order.refunded - in_flight)


def ledger_net_revenue(*, since=None, until=None) -> Decimal:
    entries = LedgerEntry.objects.all()
    if since:
        entries = entries.filter(at__gte=since)
    if until:
        entries = entries.filter(at__lt=until)
    return money_total(entries.aggregate(total=money_sum("amount"))["total"])


def ledger_totals() -> dict[str, Decimal]:
    """Net revenue from the ledger and, for comparison, from the orders (paid, less refunds)."""
    ledger = LedgerEntry.objects.aggregate(total=money_sum("amount"))["total"]
    paid = Order.objects.filter(paid_at__isnull=False).aggregate(
        total=money_sum("total"), refunded=money_sum("refunded")
    )
    return {
        "ledger": money_total(ledger),
        "orders": money_total(paid["total"]) - money_total(paid["refunded"]),
    }


# --- Pages ------------------------------------------------------------------------------


def idempotency_key_used(*, scope: str, key: str) -> bool:
    """Whether this caller has already sent this key (a checkout page pressed twice)."""
    return IdempotencyKey.objects.filter(scope=scope, key=(key or "").strip()).exists()


def order_dashboard_search(*, filters: OrderFilters, email: str = "") -> QuerySet[Order]:
    """``order_search`` plus the manager's exact customer e-mail filter."""
    orders = order_search(filters=filters)
    email = email.strip()
    if email:
        orders = orders.filter(email__iexact=email)
    return orders


def order_dashboard_page(
    *, filters: OrderFilters, email: str = "", page: int = 1, per_page: int = 25
):
    """One page of the manager's order list: two queries (count and rows) whatever its size."""
    return Paginator(order_dashboard_search(filters=filters, email=email), per_page).get_page(page)


def order_count() -> int:
    return Order.objects.count()


def order_count_between(*, since: datetime, until: datetime) -> int:
    """Orders placed in [since, until), less the card attempts the gateway refused."""
    return (
        Order.objects.filter(created_at__gte=since, created_at__lt=until)
        .exclude(status=Order.Status.PAYMENT_FAILED)
        .count()
    )


def refund_latest_status(*, number: str) -> str | None:
    return (
        Refund.objects.filter(order__number=number)
        .order_by("-pk")
        .values_list("status", flat=True)
        .first()
    )


# --- The ETL's reads: plain values, streamed in batches --------------------------------
# The ETL keeps no personal data: no names, addresses, phones, e-mails or card details.

ETL_ORDER_FIELDS = (
    "id", "number", "customer_id", "status", "payment_method", "ship_postal_code",
    "ship_province", "ship_country", "subtotal", "discount", "shipping", "total",
    "refunded", "coupon_code", "created_at", "updated_at", "paid_at",
)  # fmt: skip
ETL_LINE_FIELDS = (
    "id", "order_id", "variant_id", "product_id", "sku", "unit_price", "quantity",
    "line_total", "discount", "refunded_quantity",
)  # fmt: skip
ETL_PAYMENT_FIELDS = ("id", "order_id", "method", "status", "amount", "created_at", "captured_at")
ETL_REFUND_FIELDS = ("id", "order_id", "amount", "status", "created_at", "completed_at")
ETL_LEDGER_FIELDS = ("id", "order_id", "kind", "amount", "at")


@dataclasses.dataclass(frozen=True)
class OrderBatch:
    """Some orders with everything that hangs from them, as dicts of plain values."""

    orders: list[dict]
    lines: list[dict]
    payments: list[dict]
    refunds: list[dict]
    ledger: list[dict]


def _etl_changed(since: datetime, until: datetime) -> QuerySet[Order]:
    window = Q(updated_at__gte=since, updated_at__lt=until) | Q(
        created_at__gte=since, created_at__lt=until
    )
    return Order.objects.filter(window)


def etl_order_batches(
    *, since: datetime, until: datetime, batch_size: int = 2000
) -> Iterator[OrderBatch]:
    """The orders created or changed in ``[since, until)`` with everything that hangs from
    them, in batches: five streams (orders, lines, payments, refunds, ledger) sorted by
    order id and read side by side, so memory stays flat and no statement lists ids."""
    changed = _etl_changed(since, until)
    children = {
        name: model.objects.filter(order__in=changed.values("pk"))
        .order_by("order_id", "pk")
        .values(*fields)
        .iterator(chunk_size=5000)
        for name, model, fields in (
            ("lines", OrderLine, ETL_LINE_FIELDS),
            ("payments", Payment, ETL_PAYMENT_FIELDS),
            ("refunds", Refund, ETL_REFUND_FIELDS),
            ("ledger", LedgerEntry, ETL_LEDGER_FIELDS),
        )
    }
    orders = changed.order_by("pk").values(*ETL_ORDER_FIELDS).iterator(chunk_size=5000)
    waiting = dict.fromkeys(children)
    while chunk := list(itertools.islice(orders, batch_size)):
        ids, last = {order["id"] for order in chunk}, chunk[-1]["id"]
        parts = {}
        for name, stream in children.items():
            parts[name], waiting[name] = _etl_take(stream, waiting[name], ids, last)
        yield OrderBatch(orders=chunk, **parts)


def _etl_take(stream, row, ids: set[int], last: int) -> tuple[list[dict], dict | None]:
    """The stream's rows up to order ``last`` that belong to ``ids`` (a row of an order
    that changed after the orders were read waits for the next run), and the next row."""
    taken = []
    while True:
        if row is None:
            row = next(stream, None)
            if row is None:
                return taken, None
        if row["order_id"] > last:
            return taken, row
        if row["order_id"] in ids:
            taken.append(row)
        row = None


def etl_order_batch(*, order_ids: Iterable[int]) -> OrderBatch:
    """The orders with these ids, their lines, payments, refunds and ledger entries."""
    ids = list(order_ids)
    return OrderBatch(
        orders=list(Order.objects.filter(pk__in=ids).order_by("pk").values(*ETL_ORDER_FIELDS)),
        lines=list(
            OrderLine.objects.filter(order_id__in=ids).order_by("pk").values(*ETL_LINE_FIELDS)
        ),
        payments=list(
            Payment.objects.filter(order_id__in=ids).order_by("pk").values(*ETL_PAYMENT_FIELDS)
        ),
        refunds=list(
            Refund.objects.filter(order_id__in=ids).order_by("pk").values(*ETL_REFUND_FIELDS)
        ),
        ledger=list(
            LedgerEntry.objects.filter(order_id__in=ids).order_by("pk").values(*ETL_LEDGER_FIELDS)
        ),
    )


def etl_ledger_entries(*, since: datetime, until: datetime) -> Iterator[tuple]:
    """``(order_id, kind, amount, at)`` of every ledger entry in ``[since, until)``, streamed:
    the shop's own account of the money, which the warehouse is reconciled against."""
    return (
        LedgerEntry.objects.filter(at__gte=since, at__lt=until)
        .order_by("pk")
        .values_list("order_id", "kind", "amount", "at")
        .iterator(chunk_size=5000)
    )


# --- The customer's own data ("Mis datos") --------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _order_personal_data(order: Order) -> dict:
    return {
        "number": order.number,
        "created_at": _iso(order.created_at),
        "paid_at": _iso(order.paid_at),
        "status": order.status,
        "email": order.email,
        "payment_method": order.payment_method,
        "shipping_method": order.shipping_method,
        "shipping_address": {
            "name": order.ship_name,
            "line1": order.ship_line1,
            "line2": order.ship_line2,
            "postal_code": order.ship_postal_code,
            "city": order.ship_city,
            "province": order.ship_province,
            "country": order.ship_country,
            "phone": order.ship_phone,
        },
        "coupon_code": order.coupon_code,
        **{
            name: str(getattr(order, name))
            for name in ("subtotal", "discount", "shipping", "tax", "total", "refunded")
        },
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "option": line.option_label,
                "unit_price": str(line.unit_price),
                "quantity": line.quantity,
                "line_total": str(line.line_total),
                "discount": str(line.discount),
                "refunded_quantity": line.refunded_quantity,
            }
            for line in order.lines.all()
        ],
        "payments": [
            {
                "method": payment.method,
                "status": payment.status,
                "amount": str(payment.amount),
                "card_brand": payment.card_brand,
                "card_last4": payment.card_last4,
                "created_at": _iso(payment.created_at),
                "captured_at": _iso(payment.captured_at),
            }
            for payment in order.payments.all()
        ],
        "refunds": [
            {"amount": str(r.amount), "status": r.status, "created_at": _iso(r.created_at)}
            for r in order.refunds.all()
        ],
        "history": [
            {"at": _iso(e.at), "from": e.from_status, "to": e.to_status, "note": e.note}
            for e in order.history.all()
        ],
    }


def order_personal_data(*, user_id: int) -> list[dict]:
    """Every order of the customer with its lines, address, payments, refunds and history."""
    orders = (
        Order.objects.filter(customer_id=user_id)
        .prefetch_related(
            "lines",
            Prefetch("payments", queryset=Payment.objects.order_by("pk")),
            Prefetch("refunds", queryset=Refund.objects.order_by("pk")),
            Prefetch("history", queryset=OrderEvent.objects.order_by("at", "pk")),
        )
        .order_by("created_at", "pk")
    )
    return [_order_personal_data(order) for order in orders]


def order_number_exists(*, number: str) -> bool:
    return Order.objects.filter(number=number).exists()


ETL_COPY_STREAMS = {
    # name: (model, fields, the order's id column)
    "orders": (Order, ETL_ORDER_FIELDS, "id"),
    "lines": (OrderLine, ETL_LINE_FIELDS, "order_id"),
    "payments": (Payment, ETL_PAYMENT_FIELDS, "order_id"),
    "refunds": (Refund, ETL_REFUND_FIELDS, "order_id"),
    "ledger": (LedgerEntry, ETL_LEDGER_FIELDS, "order_id"),
}


@contextlib.contextmanager
def etl_order_copy(*, since: datetime, until: datetime):
    """PostgreSQL only: the same five streams as ``etl_order_batches`` (orders created or
    changed in ``[since, until)``, their lines, payments, refunds and ledger), each as the
    bytes of ``COPY … TO STDOUT`` (text format, the ``ETL_*_FIELDS`` columns in order), all
    read from one snapshot. Yields ``stream(name)``, an iterator of byte chunks."""
    orders = Order._meta.db_table
    window = (
        f"SELECT id FROM {orders} WHERE (updated_at >= %(since)s AND updated_at < %(until)s) "  # noqa: S608
        "OR (created_at >= %(since)s AND created_at < %(until)s)"
    )
    params = {"since": since, "until": until}
    outermost = not connection.in_atomic_block  # inside a transaction: that one's view
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

        def stream(name: str):
            model, fields, key = ETL_COPY_STREAMS[name]
            sql = (
                f"SELECT {', '.join(fields)} FROM {model._meta.db_table} "  # noqa: S608
                f"WHERE {key} IN ({window})"
            )
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
                yield from _etl_blocks(copy)

        yield stream


def etl_ledger_copy(*, ranges: Iterable[tuple[datetime, datetime]]) -> Iterator[bytes]:
    """PostgreSQL only: ``(order_id, kind, amount, at)`` of every ledger entry within any of
    the ``[since, until)`` ranges, as the bytes of ``COPY … TO STDOUT`` (text format)."""
    ranges = list(ranges)
    if not ranges:
        return
    where = " OR ".join(f"(at >= %(s{i})s AND at < %(u{i})s)" for i in range(len(ranges)))
    params = {}
    for i, (since, until) in enumerate(ranges):
        params[f"s{i}"], params[f"u{i}"] = since, until
    sql = f"SELECT order_id, kind, amount, at FROM {LedgerEntry._meta.db_table} WHERE {where}"  # noqa: S608
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy,
    ):
        yield from _etl_blocks(copy)


def _etl_blocks(copy, size: int = 1 << 20) -> Iterator[bytes]:
    """COPY's rows (one message each) gathered into blocks of about ``size`` bytes."""
    block, length = [], 0
    for row in copy:
        block.append(row)
        length += len(row)
        if length >= size:
            yield b"".join(block)
            block, length = [], 0
    if block:
        yield b"".join(block)


def etl_copy_supported() -> bool:
    """Whether ``etl_order_copy`` and ``etl_ledger_copy`` can be used (PostgreSQL)."""
    return connection.vendor == "postgresql"
