from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Pendiente de pago")
        PAID = "paid", _("Pagado")
        PREPARING = "preparing", _("En preparación")
        SHIPPED = "shipped", _("Enviado")
        DELIVERED = "delivered", _("Entregado")
        CANCELLED = "cancelled", _("Cancelado")
        REFUNDED = "refunded", _("Reembolsado")
        # A card the gateway refused: the attempt is kept for managers, never shown to the
        # customer as an order (no e-mail, not in their history); stock and coupon came back.
        PAYMENT_FAILED = "payment_failed", _("Pago fallido")

    class PaymentMethod(models.TextChoices):
        CARD = "card", _("Tarjeta")
        TRANSFER = "transfer", _("Transferencia bancaria")
        CASH_ON_DELIVERY = "cod", _("Contra reembolso")

    class ShippingMethod(models.TextChoices):
        STANDARD = "standard", _("Estándar (24/48 h)")
        EXPRESS = "express", _("Urgente (24 h)")

    number = models.CharField(_("número"), max_length=32, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cliente"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    email = models.EmailField(_("correo electrónico"))
    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT
    )
    payment_method = models.CharField(
        _("forma de pago"), max_length=10, choices=PaymentMethod.choices
    )
    shipping_method = models.CharField(
        _("envío"), max_length=10, choices=ShippingMethod.choices, default=ShippingMethod.STANDARD
    )
    # The shipping address as it was when the order was placed.
    ship_name = models.CharField(_("destinatario"), max_length=150)
    ship_line1 = models.CharField(_("dirección"), max_length=200)
    ship_line2 = models.CharField(_("dirección (2)"), max_length=200, blank=True)
    ship_postal_code = models.CharField(_("código postal"), max_length=12)
    ship_city = models.CharField(_("ciudad"), max_length=100)
    ship_province = models.CharField(_("provincia"), max_length=100, blank=True)
    ship_country = models.CharField(_("país"), max_length=2, default="ES")
    ship_phone = models.CharField(_("teléfono"), max_length=30, blank=True)

    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    discount = models.DecimalField(_("descuento"), default=0, **MONEY)
    shipping = models.DecimalField(_("envío"), default=0, **MONEY)
    tax = models.DecimalField(_("IVA incluido"), default=0, **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    refunded = models.DecimalField(_("reembolsado"), default=0, **MONEY)
    coupon_code = models.CharField(_("cupón"), max_length=40, blank=True)
    # Where the order was placed from, for the customer's activity log (erased with them).
    placed_ip = models.GenericIPAddressField(null=True, blank=True)
    placed_user_agent = models.CharField(max_length=255, blank=True, db_default="")

    created_at = models.DateTimeField(_("fecha"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)
    paid_at = models.DateTimeField(_("pagado"), null=True, blank=True)

    class Meta:
        verbose_name = _("pedido")
        verbose_name_plural = _("pedidos")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="order_customer_idx"),
            models.Index(fields=["status", "-created_at"], name="order_status_idx"),
            models.Index(fields=["updated_at"], name="order_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="order_discount_gte_0"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=models.F("total")),
                name="order_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """What was sold, as it was sold: product id, SKU, name and prices at that moment."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant_id = models.PositiveBigIntegerField()
    product_id = models.PositiveBigIntegerField()
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("producto"), max_length=200)
    option_label = models.CharField(_("opción"), max_length=200, blank=True)
    unit_price = models.DecimalField(_("precio unitario"), **MONEY)
    quantity = models.PositiveIntegerField(_("cantidad"))
    line_total = models.DecimalField(_("importe"), **MONEY)
    discount = models.DecimalField(_("descuento"), default=0, **MONEY)
    refunded_quantity = models.PositiveIntegerField(_("unidades devueltas"), default=0)

    class Meta:
        verbose_name = _("línea de pedido")
        verbose_name_plural = _("líneas de pedido")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_gte_1"),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=models.F("quantity")),
                name="order_line_refund_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"


class OrderEvent(models.Model):
    """The order's history: every status change, with who, when and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.CharField(_("motivo"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


class Payment(models.Model):
    """One payment attempt. Only the provider's token, the card brand and last four digits."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        CAPTURED = "captured", _("Cobrado")
        DECLINED = "declined", _("Rechazado")
        FAILED = "failed", _("Fallido")
        REFUNDED = "refunded", _("Reembolsado")
        CANCELLED = "cancelled", _("Anulado")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(
        _("forma de pago"), max_length=10, choices=Order.PaymentMethod.choices
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    amount = models.DecimalField(_("importe"), **MONEY)
    provider = models.CharField(_("pasarela"), max_length=40, blank=True)
    provider_reference = models.CharField(
        _("referencia de la pasarela"), max_length=100, blank=True
    )
    card_token = models.CharField(max_length=100, blank=True)
    card_brand = models.CharField(_("marca"), max_length=20, blank=True)
    card_last4 = models.CharField(_("últimos 4"), max_length=4, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    captured_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pago")
        verbose_name_plural = _("pagos")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.method} {self.status}"

    @property
    def charge_key(self) -> str:
        """The idempotency key the gateway is charged with: one per payment attempt, so a
        resumed or retried charge can never take the money twice."""
        return f"charge-{self.order_id}-{self.pk}"


class LedgerEntry(models.Model):
    """Money that actually moved. Revenue for any period is the sum of these amounts."""

    class Kind(models.TextChoices):
        SALE = "sale", _("Venta")
        REFUND = "refund", _("Reembolso")
        ADJUSTMENT = "adjustment", _("Ajuste")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="ledger")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger"
    )
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    method = models.CharField(
        _("forma de pago"), max_length=10, choices=Order.PaymentMethod.choices
    )
    amount = models.DecimalField(_("importe"), **MONEY)  # sales positive, refunds negative
    note = models.CharField(_("nota"), max_length=255, blank=True)
    at = models.DateTimeField(_("fecha"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("asiento de ventas")
        verbose_name_plural = _("libro de ventas")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="sale", amount__gt=0)
                    | Q(kind="refund", amount__lt=0)
                    | Q(kind="adjustment")
                ),
                name="ledger_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class IdempotencyKey(models.Model):
    """A checkout request's key, scoped to its caller: replays get the first answer."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    scope = models.CharField(max_length=80)  # "user:42" or "session:<key>"
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    locked_until = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_per_caller")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class Refund(models.Model):
    """Money going back to a customer. Requested inside the order's transaction; paid out
    after it commits (the gateway is never called while the order row is locked)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        PROCESSING = "processing", _("En curso")
        SUCCEEDED = "succeeded", _("Devuelto")
        FAILED = "failed", _("Fallido")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(_("importe"), **MONEY)
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    note = models.CharField(_("motivo"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_reference = models.CharField(max_length=100, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reembolso")
        verbose_name_plural = _("reembolsos")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0")]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_status_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.amount} {self.status}"


class SandboxOperation(models.Model):
    """What the sandbox gateway remembers, as a real gateway does on its side: each charge
    and refund under its idempotency key, so the same key never moves money twice and a
    charge's outcome can be asked for later by that key."""

    class Kind(models.TextChoices):
        CHARGE = "charge"
        REFUND = "refund"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    idempotency_key = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(**MONEY)
    approved = models.BooleanField()
    code = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"
