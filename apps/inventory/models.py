from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
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
    # The name English visitors read; empty means "use the Spanish name".
    name_en = models.CharField(_("nombre en inglés"), max_length=120, blank=True, default="")
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
            # A catalogue import finds the product a new SKU joins by name and category.
            models.Index(Upper("name"), "category", name="product_upper_name_cat_idx"),
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


# --- Catalogue import jobs ----------------------------------------------------------------


class ImportJob(models.Model):
    """A catalogue file imported in the background: its state, its progress and its counts.

    The per-row report lives in ``ImportJobRow``. A 50,000-row report as one JSON value
    would be rewritten whole on every progress save and read whole to show one page of
    fifty rows; as rows it is appended a chunk at a time (memory stays flat) and the page
    filters and paginates it in SQL.
    """

    class Kind(models.TextChoices):
        PRODUCTS = "products", _("Productos")
        CATEGORIES = "categories", _("Categorías")
        STOCK = "stock", _("Existencias")
        BRANDS = "brands", _("Marcas")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        VALIDATING = "validating", _("Comprobando")
        DRY_RUN_DONE = "dry_run_done", _("Comprobado")
        CONFIRMED = "confirmed", _("Confirmado, en cola")
        IMPORTING = "importing", _("Importando")
        DONE = "done", _("Importado")
        FAILED = "failed", _("Fallido")

    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("archivo"), upload_to="imports/%Y/%m/", max_length=255, blank=True)
    original_filename = models.CharField(_("nombre del archivo"), max_length=255)
    format = models.CharField(_("formato"), max_length=8, choices=Format.choices)
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    # True: stop after the check (the manager confirms on the job page); False: import.
    dry_run = models.BooleanField(_("solo comprobar"), default=True)
    background = models.BooleanField(_("en segundo plano"), default=False)
    # True: a row that fails undoes the whole file; False: the good rows are kept.
    all_or_nothing = models.BooleanField(_("todo o nada"), default=True)
    notes = models.JSONField(_("notas de lectura"), default=list, blank=True)
    total_rows = models.PositiveIntegerField(_("filas"), default=0)
    processed_rows = models.PositiveIntegerField(_("filas procesadas"), default=0)
    new_count = models.PositiveIntegerField(_("nuevas"), default=0)
    updated_count = models.PositiveIntegerField(_("actualizadas"), default=0)
    unchanged_count = models.PositiveIntegerField(_("sin cambios"), default=0)
    error_count = models.PositiveIntegerField(_("con errores"), default=0)
    error_message = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creado por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("creado"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("iniciado"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminado"), null=True, blank=True)
    updated_at = models.DateTimeField(_("actualizado"), default=timezone.now)

    class Meta:
        verbose_name = _("importación de catálogo")
        verbose_name_plural = _("importaciones de catálogo")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_filename} ({self.get_status_display()})"


class ImportJobRow(models.Model):
    """One data row of an import job's report (the header is row 1 of the file)."""

    class Action(models.TextChoices):
        NEW = "new", _("Nuevo")
        UPDATE = "update", _("Actualización")
        SKIP = "skip", _("Sin cambios")
        ERROR = "error", _("Error")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("fila"))
    action = models.CharField(_("acción"), max_length=8, choices=Action.choices)
    key = models.CharField(_("clave"), max_length=140, blank=True)
    errors = models.JSONField(_("errores"), default=list, blank=True)

    class Meta:
        verbose_name = _("fila de importación")
        verbose_name_plural = _("filas de importación")
        ordering = ["row_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="importjobrow_job_row_uniq")
        ]
        indexes = [
            models.Index(fields=["job", "action", "row_number"], name="importjobrow_action_idx"),
            # Duplicate keys are found in the report, not held in memory (services).
            models.Index(fields=["job", "key"], name="importjobrow_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.row_number} {self.key} {self.action}"


class ImportJobUndo(models.Model):
    """What one batch of an import job wrote, for an abort to restore (all-or-nothing mode).

    One row per batch (written in the batch's transaction), not one per file row: the
    batch stays a handful of statements. Deleted once restored, or when the job is done.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="undo_batches")
    entries = models.JSONField(_("cambios"), default=list)

    class Meta:
        verbose_name = _("cambios de un lote de importación")
        verbose_name_plural = _("cambios de lotes de importación")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.pk}"
