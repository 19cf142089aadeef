"""Sales reads. Customers only ever see their own orders."""

import dataclasses
from datetime import date, datetime, time
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from .models import IdempotencyKey, LedgerEntry, Order, OrderEvent, OrderLine, Payment, Refund


def order_for_email(*, number: str) -> Order | None:
    return Order.objects.filter(number=number).prefetch_related("lines").first()


def order_list_for_customer(*, customer_id: int, page: int = 1, per_page: int = 20):
    orders = (
        Order.objects.filter(customer_id=customer_id)
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
    return _with_everything(Order.objects.filter(number=number, customer_id=customer_id)).first()


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
        .exclude(status=Order.Status.CANCELLED)
        .exists()
    )


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


def refund_latest_status(*, number: str) -> str | None:
    return (
        Refund.objects.filter(order__number=number)
        .order_by("-pk")
        .values_list("status", flat=True)
        .first()
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
