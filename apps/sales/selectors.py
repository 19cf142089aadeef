"""Sales reads. Customers only ever see their own orders."""

import dataclasses
from datetime import date, datetime, time
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from apps.core.money import ZERO, money

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


def customer_has_orders(*, customer_id: int) -> bool:
    return (
        Order.objects.filter(customer_id=customer_id)
        .exclude(status__in=(Order.Status.CANCELLED, Order.Status.PAYMENT_FAILED))
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
    return money(entries.aggregate(total=Sum("amount"))["total"] or ZERO)


def ledger_totals() -> dict[str, Decimal]:
    """Net revenue from the ledger and, for comparison, from the orders (paid, less refunds)."""
    ledger = LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    paid = Order.objects.filter(paid_at__isnull=False).aggregate(
        total=Sum("total"), refunded=Sum("refunded")
    )
    orders = (paid["total"] or Decimal("0")) - (paid["refunded"] or Decimal("0"))
    return {
        "ledger": Decimal(ledger).quantize(Decimal("0.01")),
        "orders": Decimal(orders).quantize(Decimal("0.01")),
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
