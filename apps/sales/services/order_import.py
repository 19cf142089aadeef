"""Order history: what a past order is (plain values, as a file or a generator gives it) and
the rules it must keep before it is written. Nothing here writes.

A past order brings its lines, its payment, its refunds and (through them) its ledger. The
rules are the shop's own: quantities and prices positive, each line's discount within its
amount, the stated total equal to lines − discounts + shipping, money back never more than
was paid and never before it was paid, statuses that agree with the money.
"""

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInputError
from apps.core.money import ZERO, money

from ..models import Order

STOCK_UNTOUCHED = "untouched"  # history only: stock and its ledger stay as they are
STOCK_MOVEMENTS = "movements"  # sales, cancellations and returns enter the stock ledger
STOCK_MODES = (STOCK_UNTOUCHED, STOCK_MOVEMENTS)

Status = Order.Status
PAID_STATUSES = {Status.PAID, Status.DELIVERED, Status.REFUNDED}
IMPORTABLE_STATUSES = {
    Status.PENDING_PAYMENT,
    Status.PAID,
    Status.PREPARING,
    Status.SHIPPED,
    Status.DELIVERED,
    Status.CANCELLED,
    Status.REFUNDED,
}
PAYMENT_METHODS = frozenset(Order.PaymentMethod.values)
SHIPPING_METHODS = frozenset(Order.ShippingMethod.values)
EARLIEST = datetime(2000, 1, 1).astimezone()
MAX_LINES = 500
MAX_QUANTITY = 100_000
MAX_AMOUNT = Decimal("9999999999.99")  # what the money columns hold


class OrderImportError(InvalidInputError):
    code = "order_import_invalid"


@dataclasses.dataclass(frozen=True)
class HistoryLine:
    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal = ZERO
    refunded_quantity: int = 0

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity  # exact: prices are whole cents (checked)


@dataclasses.dataclass(frozen=True)
class HistoryRefund:
    amount: Decimal
    at: datetime


@dataclasses.dataclass(frozen=True)
class HistoryOrder:
    """One past order. ``total`` is the total as the source states it (checked against the
    lines); ``row`` is its first row in a file, for messages."""

    number: str
    created_at: datetime
    email: str
    status: str
    payment_method: str
    lines: Sequence[HistoryLine]
    paid_at: datetime | None = None
    shipping: Decimal = ZERO
    shipping_method: str = Order.ShippingMethod.STANDARD
    name: str = ""
    postal_code: str = ""
    city: str = ""
    province: str = ""
    country: str = "ES"
    coupon_code: str = ""
    total: Decimal | None = None
    refunds: Sequence[HistoryRefund] = ()
    row: int | None = None

    @cached_property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @cached_property
    def discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), ZERO)

    @cached_property
    def computed_total(self) -> Decimal:
        return self.subtotal - self.discount + self.shipping

    @cached_property
    def refunded(self) -> Decimal:
        return sum((refund.amount for refund in self.refunds), ZERO)


@dataclasses.dataclass(frozen=True)
class RowError:
    row: int | None
    order: str
    message: str

    def __str__(self) -> str:
        where = _("fila %(row)s") % {"row": self.row} if self.row else self.order
        return f"{where} ({self.order}): {self.message}" if self.row else f"{where}: {self.message}"


@dataclasses.dataclass
class OrderImportReport:
    stock: str = STOCK_UNTOUCHED
    dry_run: bool = False
    orders: int = 0  # orders read
    lines: int = 0
    imported: int = 0  # orders written
    skipped: int = 0  # already in the shop (an earlier import): left as they are
    errors: list[RowError] = dataclasses.field(default_factory=list)
    error_count: int = 0  # all of them; ``errors`` keeps the first ones

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, error: RowError, *, keep: int = 1000) -> None:
        self.error_count += 1
        if len(self.errors) < keep:
            self.errors.append(error)


def _cents(amount: Decimal) -> bool:
    """Whether an amount is whole cents (the usual case without rounding anything)."""
    return amount.as_tuple().exponent >= -2 or amount == money(amount)


def _moment_problems(order: HistoryOrder, now: datetime) -> list[str]:
    found = []
    for paid, moment in ((False, order.created_at), (True, order.paid_at)):
        if moment is None:
            continue
        if moment.tzinfo is None:
            what = _("Fecha de pago") if paid else _("Fecha del pedido")
            found.append(_("%(what)s sin zona horaria.") % {"what": what})
        elif moment < EARLIEST or moment > now + timedelta(minutes=5):
            what = _("Fecha de pago") if paid else _("Fecha del pedido")
            found.append(_("%(what)s imposible: %(value)s.") % {"what": what, "value": moment})
    if not found and order.paid_at and order.paid_at < order.created_at:
        found.append(_("El pago es anterior al pedido."))
    return found


def _line_problems(line: HistoryLine, known: set[str]) -> list[str]:
    sku = (line.sku or "").strip().upper()
    if not sku:
        return [_("Línea sin SKU.")]
    if sku not in known:
        return [_("SKU desconocido: %(sku)s.") % {"sku": sku}]
    if not isinstance(line.quantity, int) or not 1 <= line.quantity <= MAX_QUANTITY:
        return [
            _("%(sku)s: cantidad no válida (%(value)s).") % {"sku": sku, "value": line.quantity}
        ]
    found = []
    if line.unit_price <= 0 or not _cents(line.unit_price):
        found.append(
            _("%(sku)s: precio no válido (%(value)s).") % {"sku": sku, "value": line.unit_price}
        )
    elif line.discount < 0 or line.discount > line.amount or not _cents(line.discount):
        found.append(
            _("%(sku)s: descuento no válido (%(value)s).") % {"sku": sku, "value": line.discount}
        )
    if not 0 <= line.refunded_quantity <= line.quantity:
        found.append(_("%(sku)s: más unidades devueltas que vendidas.") % {"sku": sku})
    return found


def _money_problems(order: HistoryOrder) -> list[str]:
    if order.shipping < 0 or not _cents(order.shipping):
        return [_("Gastos de envío no válidos (%(value)s).") % {"value": order.shipping}]
    total = order.computed_total
    if total > MAX_AMOUNT:
        return [_("Importe demasiado grande.")]
    if order.total is not None and order.total != total:
        return [
            _(
                "El total del pedido (%(stated)s) no cuadra con sus líneas: "
                "%(subtotal)s − %(discount)s de descuento + %(shipping)s de envío = %(total)s."
            )
            % {
                "stated": order.total,
                "subtotal": order.subtotal,
                "discount": order.discount,
                "shipping": order.shipping,
                "total": total,
            }
        ]
    return []


def _refund_problems(order: HistoryOrder, now: datetime) -> list[str]:
    if not order.refunds:
        if order.status == Status.REFUNDED or (order.status == Status.CANCELLED and order.paid_at):
            return [_("Un pedido pagado y luego cancelado o reembolsado devuelve su total.")]
        return []
    if order.paid_at is None:
        return [_("Hay reembolsos en un pedido que no se pagó.")]
    for refund in order.refunds:
        if refund.amount <= 0 or not _cents(refund.amount):
            return [_("Reembolso no válido (%(value)s).") % {"value": refund.amount}]
        if refund.at is None or refund.at.tzinfo is None or not order.paid_at <= refund.at:
            return [_("El reembolso es anterior al pago o no tiene fecha válida.")]
        if refund.at > now + timedelta(minutes=5):
            return [_("Fecha de reembolso en el futuro.")]
    refunded, total = order.refunded, order.computed_total
    if refunded > total:
        return [
            _("Se reembolsa más (%(refunded)s) de lo pagado (%(total)s).")
            % {"refunded": refunded, "total": total}
        ]
    fully = order.status == Status.REFUNDED or order.status == Status.CANCELLED
    if fully and refunded != total:
        return [_("Un pedido pagado y luego cancelado o reembolsado devuelve su total.")]
    return []


def _status_problems(order: HistoryOrder) -> list[str]:
    if order.status not in IMPORTABLE_STATUSES:
        return [_("Estado desconocido: %(value)s.") % {"value": order.status}]
    if order.payment_method not in PAYMENT_METHODS:
        return [_("Forma de pago desconocida: %(value)s.") % {"value": order.payment_method}]
    if order.shipping_method not in SHIPPING_METHODS:
        return [_("Envío desconocido: %(value)s.") % {"value": order.shipping_method}]
    if order.status in PAID_STATUSES and order.paid_at is None:
        return [_("Un pedido «%(status)s» necesita la fecha de pago.") % {"status": order.status}]
    if order.status == Status.PENDING_PAYMENT and order.paid_at is not None:
        return [_("Un pedido pendiente de pago no puede tener fecha de pago.")]
    return []


def order_problems(order: HistoryOrder, *, known_skus: set[str], now=None) -> list[str]:
    """What is wrong with a past order, in Spanish (empty: it can be written)."""
    now = now or timezone.now()
    if not (order.number or "").strip() or len(order.number.strip()) > 32:
        return [_("Número de pedido vacío o de más de 32 caracteres.")]
    if "@" not in (order.email or "") or len(order.email) > 254:
        return [_("Correo del cliente no válido: %(value)s.") % {"value": order.email}]
    if order.created_at is None:
        return [_("Falta la fecha del pedido.")]
    if not order.lines:
        return [_("El pedido no tiene líneas.")]
    if len(order.lines) > MAX_LINES:
        return [_("Demasiadas líneas en un pedido (máximo %(max)s).") % {"max": MAX_LINES}]
    found = _status_problems(order) + _moment_problems(order, now)
    for line in order.lines:
        found += _line_problems(line, known_skus)
    if found:
        return found
    return _money_problems(order) or _refund_problems(order, now)
