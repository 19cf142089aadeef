from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Cart(models.Model):
    """A visitor's cart: a signed-in customer's (user) or an anonymous session's (session_key)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Abierto")
        MERGED = "merged", _("Fusionado")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cliente"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    session_key = models.CharField(_("sesión"), max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("estado"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    coupon_code = models.CharField(_("cupón"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("carrito")
        verbose_name_plural = _("carritos")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="open"), name="one_open_cart_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.user_id or self.session_key[:8]}"


class CartLine(models.Model):
    """One item in a cart, or in the customer's saved-for-later list."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant_id = models.PositiveBigIntegerField(_("variante"))  # inventory's id, no ForeignKey
    quantity = models.PositiveIntegerField(_("cantidad"))
    # The price the customer saw when adding it: a change since is shown on the cart.
    price_seen = models.DecimalField(_("precio visto"), max_digits=10, decimal_places=2)
    saved_for_later = models.BooleanField(_("guardado para más tarde"), default=False)
    created_at = models.DateTimeField(_("añadido"), default=timezone.now)

    class Meta:
        verbose_name = _("línea de carrito")
        verbose_name_plural = _("líneas de carrito")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant_id"], name="cart_line_unique_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} × {self.quantity}"
