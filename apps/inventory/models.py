from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A node of the category tree (a top category has no parent)."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("categoría padre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("nombre"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("descripción"), blank=True)
    icon = models.CharField(_("icono"), max_length=40, blank=True, default="box")
    is_active = models.BooleanField(_("activa"), default=True)
    position = models.PositiveIntegerField(_("posición"), default=0)

    class Meta:
        verbose_name = _("categoría")
        verbose_name_plural = _("categorías")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    name = models.CharField(_("nombre"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    is_active = models.BooleanField(_("activa"), default=True)

    class Meta:
        verbose_name = _("marca")
        verbose_name_plural = _("marcas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """What the shop lists. It is sold as one or more variants (each with SKU, price, stock)."""

    category = models.ForeignKey(
        Category, verbose_name=_("categoría"), on_delete=models.PROTECT, related_name="products"
    )
    brand = models.ForeignKey(
        Brand,
        verbose_name=_("marca"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    name = models.CharField(_("nombre"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("descripción"), blank=True)
    # [["Pantalla", "15,6\""], ["Memoria", "16 GB"], ...] in display order.
    specifications = models.JSONField(_("especificaciones"), default=list, blank=True)
    is_active = models.BooleanField(_("activo"), default=True)
    is_featured = models.BooleanField(_("destacado"), default=False)
    # Kept by the services: the lowest active variant price (sorting, price filter),
    # the text the search looks in, and the units sold in the last 30 days.
    price_from = models.DecimalField(_("precio desde"), max_digits=10, decimal_places=2, default=0)
    search_document = models.TextField(editable=False, blank=True)
    units_sold_30d = models.PositiveIntegerField(_("vendidos (30 días)"), default=0)
    created_at = models.DateTimeField(_("creado"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("producto")
        verbose_name_plural = _("productos")
        indexes = [
            models.Index(fields=["is_active", "category"], name="product_active_cat_idx"),
            models.Index(fields=["is_active", "price_from"], name="product_active_price_idx"),
            models.Index(fields=["is_active", "-units_sold_30d"], name="product_bestseller_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_from__gte=0), name="product_price_from_gte_0")
        ]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """A sellable item: its own SKU, price and stock. A simple product has exactly one."""

    product = models.ForeignKey(
        Product, verbose_name=_("producto"), on_delete=models.CASCADE, related_name="variants"
    )
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    # {"Capacidad": "256 GB", "Color": "Negro"}; empty for a product without variants.
    options = models.JSONField(_("opciones"), default=dict, blank=True)
    price = models.DecimalField(_("precio (IVA incl.)"), max_digits=10, decimal_places=2)
    cost = models.DecimalField(_("coste"), max_digits=10, decimal_places=2, default=0)
    on_hand = models.IntegerField(_("existencias"), default=0)
    low_stock_threshold = models.PositiveIntegerField(_("aviso de pocas existencias"), default=5)
    is_active = models.BooleanField(_("activa"), default=True)
    position = models.PositiveIntegerField(_("posición"), default=0)

    class Meta:
        verbose_name = _("variante")
        verbose_name_plural = _("variantes")
        ordering = ["position", "pk"]
        constraints = [
            # The last guard: however many checkouts race, stock never goes below zero.
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="variant_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(price__gt=0), name="variant_price_gt_0"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="variant_cost_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.option_label}".strip()

    @property
    def option_label(self) -> str:
        return " · ".join(str(value) for value in self.options.values())


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("imagen"), upload_to="products/%Y/%m/")
    alt_text = models.CharField(_("texto alternativo"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("posición"), default=0)

    class Meta:
        verbose_name = _("imagen de producto")
        verbose_name_plural = _("imágenes de producto")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.alt_text or self.image.name


class StockMovement(models.Model):
    """One change of stock. A variant's on_hand always equals the sum of its movements."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Entrada")
        ADJUSTMENT = "adjustment", _("Ajuste")
        SALE = "sale", _("Venta")
        CANCELLATION = "cancellation", _("Cancelación")
        RETURN = "return", _("Devolución")

    variant = models.ForeignKey(
        Variant, verbose_name=_("variante"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices)
    quantity = models.IntegerField(_("cantidad"))
    reason = models.CharField(_("motivo"), max_length=255, blank=True)
    reference = models.CharField(_("referencia"), max_length=64, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuario"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("fecha"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("movimiento de stock")
        verbose_name_plural = _("movimientos de stock")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.variant_id}"
