"""Coupons and their redemptions.

Restrictions to the catalogue are stored as lists of inventory ids (no
ForeignKey crosses into inventory). ``uses`` is the counter ``coupon_redeem``
and ``coupon_release`` keep with conditional updates; the CHECK constraint
``uses <= max_uses`` is the last guard behind them.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Coupon(models.Model):
    class Kind(models.TextChoices):
        PERCENTAGE = "percentage", _("Porcentaje")
        FIXED = "fixed", _("Importe fijo")
        FREE_SHIPPING = "free_shipping", _("Envío gratis")

    code = models.CharField(_("código"), max_length=40, unique=True)
    name = models.CharField(_("nombre"), max_length=120, blank=True)
    description = models.TextField(_("descripción"), blank=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    value = models.DecimalField(_("valor"), max_digits=10, decimal_places=2, default=0)
    minimum_subtotal = models.DecimalField(
        _("importe mínimo"), max_digits=10, decimal_places=2, default=0
    )
    valid_from = models.DateTimeField(_("válido desde"), default=timezone.now)
    valid_until = models.DateTimeField(_("válido hasta"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("usos máximos"), null=True, blank=True)
    max_uses_per_customer = models.PositiveIntegerField(
        _("usos máximos por cliente"), null=True, blank=True
    )
    first_order_only = models.BooleanField(_("solo primer pedido"), default=False)
    category_ids = models.JSONField(_("categorías"), default=list, blank=True)
    brand_ids = models.JSONField(_("marcas"), default=list, blank=True)
    product_ids = models.JSONField(_("productos"), default=list, blank=True)
    is_active = models.BooleanField(_("activo"), default=True)
    uses = models.PositiveIntegerField(_("usos"), default=0)
    batch = models.CharField(_("lote"), max_length=60, blank=True, db_index=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificado"), auto_now=True)

    class Meta:
        verbose_name = _("cupón")
        verbose_name_plural = _("cupones")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses__lte=F("max_uses")),
                name="coupon_uses_within_max_uses",
            ),
            models.CheckConstraint(condition=Q(uses__gte=0), name="coupon_uses_not_negative"),
            models.CheckConstraint(condition=Q(code=Upper("code")), name="coupon_code_upper_case"),
            models.CheckConstraint(
                condition=Q(kind="free_shipping")
                | Q(kind="fixed", value__gt=0)
                | Q(kind="percentage", value__gt=0, value__lte=100),
                name="coupon_value_fits_kind",
            ),
            models.CheckConstraint(
                condition=Q(minimum_subtotal__gte=0), name="coupon_minimum_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="coupon_valid_until_after_valid_from",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "kind"], name="coupon_active_kind_idx")]

    def __str__(self) -> str:
        return self.code

    @property
    def has_restrictions(self) -> bool:
        return bool(self.category_ids or self.brand_ids or self.product_ids)


class CouponRedemption(models.Model):
    """One use of a coupon by one order. ``released_at`` is set when the order is cancelled."""

    coupon = models.ForeignKey(
        Coupon, verbose_name=_("cupón"), on_delete=models.PROTECT, related_name="redemptions"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cliente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order_reference = models.CharField(_("pedido"), max_length=40)
    discount = models.DecimalField(_("descuento"), max_digits=10, decimal_places=2)
    order_total = models.DecimalField(_("total del pedido"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(_("canjeado"), auto_now_add=True)
    released_at = models.DateTimeField(_("liberado"), null=True, blank=True)

    class Meta:
        verbose_name = _("canje de cupón")
        verbose_name_plural = _("canjes de cupones")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["coupon", "order_reference"], name="coupon_redemption_once_per_order"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0), name="coupon_redemption_discount_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["coupon", "customer"], name="coupon_redemption_customer_idx"),
            models.Index(fields=["order_reference"], name="coupon_redemption_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.coupon_id} · {self.order_reference}"
