"""Catalogue import and export (django-import-export), for the dashboard, the admin and commands.

Three kinds of file, CSV or XLSX, one header row:

- ``products``: one row per variant. Columns ``sku, product, category, brand, price, cost,
  options, description, active, featured``. A known SKU updates its variant and product;
  a new SKU joins the product of the same name and category (in the file or the shop),
  or starts a new product. ``active`` and ``featured`` are the product's flags.
- ``categories``: ``slug, name, parent, description, icon, position, active``.
- ``stock``: ``sku, on_hand``. The difference from the current level is written as an
  adjustment ("Importación de existencias"), so the ledger stays true.

Every write goes through ``services``; the resources only parse and report. An import
is all or nothing: one bad row rolls back every row (``import_data`` always runs in a
transaction and rolls back on validation errors), and a dry run rolls back at the end,
so it reports exactly what the real run would do.

Large files run as import jobs (``services.import_job_run``): ``catalogue_stream`` below reads
them a chunk at a time (the csv module over a text stream, openpyxl in read-only mode) and
applies the very same rules, row by row: ``check_headers``, ``key_error``, and each
resource's ``parse``, ``is_unchanged`` and ``apply``.
"""

import contextlib
import csv
import dataclasses
import io
import itertools
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import RowResult

from apps.core import spreadsheets
from apps.core.errors import ApplicationError, InvalidInputError
from apps.core.money import money

from . import services
from .models import Brand, Category, Product, Variant

KINDS = ("products", "categories", "stock")
FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ACTION_LABELS = {
    "new": gettext_lazy("Nuevo"),
    "update": gettext_lazy("Actualización"),
    "skip": gettext_lazy("Sin cambios"),
    "error": gettext_lazy("Error"),
}

_TRUE = {"1", "true", "sí", "si", "s", "yes", "y", "x", "verdadero"}
_FALSE = {"0", "false", "no", "n", "", "falso"}


class CatalogueFileError(InvalidInputError):
    """The file cannot be read at all (format, encoding, columns)."""

    code = "import_file_invalid"


# --- Report ------------------------------------------------------------------------


@dataclasses.dataclass
class RowReport:
    number: int  # the row in the file, counting the header as row 1
    action: str  # new | update | skip | error
    key: str
    messages: list[str]  # the errors; on other rows, how a number was read


@dataclasses.dataclass
class ImportReport:
    kind: str
    dry_run: bool
    errors: list[str]  # about the whole file
    rows: list[RowReport]
    notes: list[str] = dataclasses.field(default_factory=list)  # how the file was read

    @property
    def ok(self) -> bool:
        return not self.errors and not any(row.action == "error" for row in self.rows)

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(row.action for row in self.rows)
        return {action: counts.get(action, 0) for action in ACTION_LABELS}

    @property
    def error_rows(self) -> list[RowReport]:
        return [row for row in self.rows if row.action == "error"]

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "ok": self.ok, "totals": self.totals}


# --- Cell parsing ----------------------------------------------------------------------


def _text(value) -> str:
    """A cell as text; an apostrophe our exports put before a formula character is dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return spreadsheets.unescape_text(str(value).strip())


def _bool(value, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(
        {column: _("«%(value)s» no es un sí/no válido (use 1 o 0).") % {"value": text}}
    )


def _number(value, column: str, *, style: str, message: str) -> tuple[Decimal, str, bool]:
    """A cell's number (an XLSX number as it is; text the way the file writes numbers), its
    text, and whether reading it took interpretation (see ``spreadsheets.read_number``)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value)), _text(value), False
    text = _text(value)
    try:
        number, interpreted = spreadsheets.read_number(text, style)
    except spreadsheets.NotANumber:
        raise ValidationError({column: message % {"value": text}}) from None
    return number, text, interpreted


def _read_as(notes: list[str] | None, column: str, text: str, shown: str) -> None:
    if notes is not None:
        notes.append(
            _("%(column)s: «%(text)s» se ha leído como %(value)s.")
            % {"column": column, "text": text, "value": shown}
        )


def _decimal(
    value, column: str, *, allow_zero: bool, style: str = spreadsheets.ENGLISH, notes=None
) -> Decimal:
    """An amount in euros, rounded half-up to cents (``money``); ``notes`` get a line when
    the text needed reading (separators) or rounding."""
    if _text(value) == "":
        raise ValidationError({column: _("Falta el importe.")})
    amount, text, interpreted = _number(
        value, column, style=style, message=_("«%(value)s» no es un número.")
    )
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(
            {
                column: _("El importe no puede ser negativo.")
                if amount < 0
                else _("El importe debe ser mayor que cero.")
            }
        )
    rounded = money(amount)
    if interpreted or rounded != amount:
        _read_as(notes, column, text, number_format(rounded, 2, use_l10n=True, force_grouping=True))
    return rounded


def _integer(
    value,
    column: str,
    *,
    minimum: int = 0,
    maximum: int,
    style: str = spreadsheets.ENGLISH,
    notes=None,
) -> int:
    message = _("«%(value)s» no es un número entero.")
    number, text, interpreted = _number(value, column, style=style, message=message)
    if number != number.to_integral_value():
        raise ValidationError({column: message % {"value": text}})
    if number < minimum:
        raise ValidationError(
            {column: _("El valor no puede ser menor que %(min)s.") % {"min": minimum}}
        )
    if number > maximum:
        raise ValidationError(
            {column: _("El valor no puede ser mayor que %(max)s.") % {"max": maximum}}
        )
    if interpreted:
        _read_as(
            notes, column, text, number_format(int(number), 0, use_l10n=True, force_grouping=True)
        )
    return int(number)


def parse_options(text) -> dict[str, str]:
    """'Color: Negro; Capacidad: 256 GB' -> {'Color': 'Negro', 'Capacidad': '256 GB'}."""
    options: dict[str, str] = {}
    for part in _text(text).split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition(":")
        if not sep or not name.strip() or not value.strip():
            raise ValidationError(
                {"options": _("Escriba las opciones como «Nombre: valor; Nombre: valor».")}
            )
        options[name.strip()] = value.strip()
    return options


def format_options(options: dict) -> str:
    return "; ".join(f"{name}: {value}" for name, value in (options or {}).items())


# --- Rules shared by the resources and the streamed import ---------------------------


def check_headers(resource: "ServiceResource", headers) -> list[str]:
    """The header row, normalised; CatalogueFileError naming missing/unknown/repeated columns."""
    if not headers:
        raise CatalogueFileError(_("El archivo está vacío o no tiene fila de cabecera."))
    headers = [_text(header).lower() for header in headers]
    missing = [column for column in resource.required_columns if column not in headers]
    allowed = set(resource.required_columns) | set(resource.optional_columns)
    unknown = [column for column in headers if column not in allowed]
    repeated = [column for column, n in Counter(headers).items() if n > 1]
    problems = []
    if missing:
        problems.append(_("Faltan columnas: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(
            _("Columnas desconocidas: %(columns)s (se admiten: %(allowed)s).")
            % {
                "columns": ", ".join(column or "«»" for column in unknown),
                "allowed": ", ".join((*resource.required_columns, *resource.optional_columns)),
            }
        )
    if repeated:
        problems.append(_("Columnas repetidas: %(columns)s.") % {"columns": ", ".join(repeated)})
    if problems:
        raise CatalogueFileError(" ".join(problems))
    return headers


def key_error(
    resource: "ServiceResource", key: str, *, earlier_row: int | None
) -> ValidationError | None:
    """A row's key is missing, or repeats the key of an earlier row (its number in the file)."""
    if not key:
        return ValidationError({resource.key_column: _("Falta el valor de la columna clave.")})
    if earlier_row is not None:
        return ValidationError(
            {
                resource.key_column: _(
                    "«%(key)s» está repetido en el archivo (ya en la fila %(row)s)."
                )
                % {"key": key, "row": earlier_row}
            }
        )
    return None


def validation_messages(error: ValidationError) -> list[str]:
    """A row's ValidationError as report lines: «column: message» (no prefix for the row)."""
    messages = []
    for column, column_messages in error.message_dict.items():
        prefix = "" if column == "__all__" else f"{column}: "
        messages.extend(f"{prefix}{message}" for message in column_messages)
    return messages


# --- Resources -------------------------------------------------------------------------


class ServiceResource(resources.ModelResource):
    """A resource that validates the file, parses each row itself and saves through services.

    Subclasses set ``required_columns``/``optional_columns``/``key_column`` and implement
    ``parse`` (row -> values, raising ValidationError), ``is_unchanged`` and ``apply``.
    """

    required_columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()
    key_column = ""

    class Meta:
        abstract = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._user_id = None
        self._duplicates: dict[str, int] = {}
        self.number_style = spreadsheets.ENGLISH  # how the file writes numbers
        self.row_notes: dict[int, list[str]] = {}  # what was read, by row of the file
        self._notes: list[str] = []

    @property
    def reading(self) -> dict:
        """The arguments of ``_decimal``/``_integer`` for the row being parsed."""
        return {"style": self.number_style, "notes": self._notes}

    def parse_row(self, instance, row) -> tuple[dict, list[str]]:
        """``parse``, and the notes on how its numbers were read."""
        self._notes = []
        return self.parse(instance, row), self._notes

    # All or nothing, always.
    def import_data(self, dataset, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        user = kwargs.get("user")
        self._user_id = kwargs.get("user_id") or (
            user.pk if user is not None and user.is_authenticated else None
        )
        try:
            headers = check_headers(self, dataset.headers)
        except CatalogueFileError:
            dataset.wipe()
            raise
        dataset.headers = headers
        keys = [self.normalise_key(value) for value in dataset[self.key_column]]
        if keys:  # the instance loader looks rows up by the normalised key
            index = headers.index(self.key_column)
            del dataset[self.key_column]
            dataset.insert_col(index, keys, header=self.key_column)
        first_seen: dict[str, int] = {}
        self._duplicates = {}
        for number, key in enumerate(keys, 1):
            if key and key in first_seen:
                self._duplicates[str(number)] = first_seen[key]
            first_seen.setdefault(key, number)

    def normalise_key(self, value) -> str:
        return _text(value)

    def import_instance(self, instance, row, **kwargs):
        number = kwargs.get("row_number")
        key = row.get(self.key_column, "")
        earlier = self._duplicates.get(str(number))
        error = key_error(self, key, earlier_row=earlier + 1 if earlier else None)
        if error is not None:
            raise error
        if instance.pk is None:
            setattr(instance, self.key_column, key)
        instance._import_values, notes = self.parse_row(instance, row)
        if notes:
            self.row_notes[number] = notes

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return self.is_unchanged(instance, instance._import_values)

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            self.apply(instance, is_create, instance._import_values)
        except ApplicationError as error:
            raise ValidationError({"__all__": [error.message]}) from None

    def save_m2m(self, instance, row, **kwargs):
        pass

    def export_field(self, field, instance, **kwargs):
        """Every exported value made safe (the admin's export writes these as they are)."""
        return spreadsheets.safe_value(super().export_field(field, instance, **kwargs))

    def after_import(self, dataset, result, **kwargs):
        pass  # no sequence reset: the services created the rows the normal way

    # For the streamed import (``catalogue_stream``).
    def new_instance(self, key: str):
        return self._meta.model(**{self.key_column: key})

    def instances_for(self, keys: list[str]) -> dict:
        """The existing objects of these (normalised) keys, by key: one query per chunk."""
        if not keys:
            return {}
        objects = self.get_queryset().filter(**{f"{self.key_column}__in": keys})
        return {getattr(obj, self.key_column): obj for obj in objects}

    def plan(self, instance, values: dict) -> None:
        """A checked row, not written: remember what later rows may rely on (a new parent)."""

    # To implement.
    def parse(self, instance, row) -> dict:
        raise NotImplementedError

    def is_unchanged(self, instance, values: dict) -> bool:
        raise NotImplementedError

    def apply(self, instance, is_create: bool, values: dict) -> None:
        raise NotImplementedError


def _column(name: str, attribute: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name)


class ProductResource(ServiceResource):
    """One row per variant."""

    sku = _column("sku", "sku")
    product = _column("product")
    category = _column("category")
    brand = _column("brand")
    price = _column("price")
    cost = _column("cost")
    options = _column("options")
    description = _column("description")
    active = _column("active")
    featured = _column("featured")

    required_columns = ("sku", "product", "category", "price")
    optional_columns = ("brand", "cost", "options", "description", "active", "featured")
    key_column = "sku"

    class Meta:
        model = Variant
        fields = (
            "sku", "product", "category", "brand", "price", "cost", "options",
            "description", "active", "featured",
        )  # fmt: skip
        import_id_fields = ("sku",)
        instance_loader_class = CachedInstanceLoader
        skip_diff = True
        report_skipped = True
        clean_model_instances = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._products_in_file: dict[tuple[str, int], int] = {}
        self._category_ids: dict[str, int | None] = {}  # a product file creates no category

    def _category_id(self, slug: str) -> int | None:
        if slug not in self._category_ids:
            self._category_ids[slug] = (
                Category.objects.filter(slug=slug).values_list("pk", flat=True).first()
            )
        return self._category_ids[slug]

    def get_queryset(self) -> QuerySet[Variant]:
        return Variant.objects.select_related("product__category", "product__brand").order_by(
            "product__name", "product_id", "position", "pk"
        )

    def normalise_key(self, value) -> str:
        return _text(value).upper()

    # Export.
    def dehydrate_product(self, variant):
        return variant.product.name

    def dehydrate_category(self, variant):
        return variant.product.category.slug

    def dehydrate_brand(self, variant):
        return variant.product.brand.name if variant.product.brand_id else ""

    def dehydrate_price(self, variant):
        return variant.price

    def dehydrate_cost(self, variant):
        return variant.cost

    def dehydrate_options(self, variant):
        return format_options(variant.options)

    def dehydrate_description(self, variant):
        return variant.product.description

    def dehydrate_active(self, variant):
        return int(variant.product.is_active)

    def dehydrate_featured(self, variant):
        return int(variant.product.is_featured)

    # Import.
    def parse(self, instance, row) -> dict:
        errors: dict[str, list[str]] = {}
        values: dict = {}

        def field(column, parse):
            try:
                values[column] = parse()
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(name, []).extend(messages)

        values["name"] = _text(row.get("product"))[:200]
        if not values["name"]:
            errors["product"] = [_("Falta el nombre del producto.")]
        slug = _text(row.get("category"))
        category = self._category_id(slug)
        if category is None:
            errors["category"] = [
                _("La categoría «%(slug)s» no existe.") % {"slug": slug}
                if slug
                else _("Falta la categoría.")
            ]
        values["category_id"] = category
        brand_name = _text(row.get("brand"))
        values["brand_name"] = brand_name[:120]
        field(
            "price", lambda: _decimal(row.get("price"), "price", allow_zero=False, **self.reading)
        )
        if "cost" in row:
            field(
                "cost",
                lambda: _decimal(row.get("cost") or "0", "cost", allow_zero=True, **self.reading),
            )
        if "options" in row:
            field("options", lambda: parse_options(row.get("options")))
        if "description" in row:
            values["description"] = _text(row.get("description"))
        if "active" in row:
            field("active", lambda: _bool(row.get("active"), "active"))
        if "featured" in row:
            field("featured", lambda: _bool(row.get("featured"), "featured"))
        if errors:
            raise ValidationError(errors)
        return values

    def _brand_id(self, name: str) -> int | None:
        if not name:
            return None
        brand_id = Brand.objects.filter(name__iexact=name).values_list("pk", flat=True).first()
        return brand_id or services.brand_create(name=name)

    def _product_changes(self, product: Product, values: dict) -> dict:
        changes = {}
        if product.name != values["name"]:
            changes["name"] = values["name"]
        if product.category_id != values["category_id"]:
            changes["category_id"] = values["category_id"]
        brand = product.brand.name if product.brand_id else ""
        if brand.lower() != values["brand_name"].lower():
            changes["brand_name"] = values["brand_name"]
        if "description" in values and product.description != values["description"]:
            changes["description"] = values["description"]
        if "active" in values and product.is_active != values["active"]:
            changes["is_active"] = values["active"]
        if "featured" in values and product.is_featured != values["featured"]:
            changes["is_featured"] = values["featured"]
        return changes

    def _variant_changes(self, variant: Variant, values: dict) -> dict:
        changes = {}
        if variant.price != values["price"]:
            changes["price"] = values["price"]
        if "cost" in values and variant.cost != values["cost"]:
            changes["cost"] = values["cost"]
        if "options" in values and variant.options != values["options"]:
            changes["options"] = values["options"]
        return changes

    def is_unchanged(self, instance, values) -> bool:
        if instance.pk is None:
            return False
        # Fresh: an earlier row of the file may have changed the same product.
        product = Product.objects.select_related("brand").get(pk=instance.product_id)
        return not self._product_changes(product, values) and not self._variant_changes(
            instance, values
        )

    def apply(self, instance, is_create, values) -> None:
        if is_create:
            self._create(instance.sku, values)
            return
        product = Product.objects.select_related("brand").get(pk=instance.product_id)
        changes = self._product_changes(product, values)
        if "brand_name" in changes:
            changes["brand_id"] = self._brand_id(changes.pop("brand_name"))
        if changes:
            services.product_update(product_id=product.pk, **changes)
        variant_changes = self._variant_changes(instance, values)
        if variant_changes:
            services.variant_update(variant_id=instance.pk, **variant_changes)
        self._products_in_file[(values["name"].lower(), values["category_id"])] = product.pk

    def _create(self, sku: str, values: dict) -> None:
        variant = services.VariantInput(
            sku=sku,
            price=values["price"],
            cost=values.get("cost", Decimal("0")),
            options=values.get("options", {}),
        )
        key = (values["name"].lower(), values["category_id"])
        product_id = self._products_in_file.get(key)
        if product_id is None:
            same = list(
                Product.objects.filter(
                    name__iexact=values["name"], category_id=values["category_id"]
                ).values_list("pk", flat=True)[:2]
            )
            product_id = same[0] if len(same) == 1 else None
        if product_id is not None:
            services.variant_add(product_id=product_id, variant=variant, user_id=self._user_id)
            self._products_in_file[key] = product_id
            return
        self._products_in_file[key] = services.product_create(
            name=values["name"],
            category_id=values["category_id"],
            brand_id=self._brand_id(values["brand_name"]),
            description=values.get("description", ""),
            is_active=values.get("active", True),
            is_featured=values.get("featured", False),
            variants=[variant],
            user_id=self._user_id,
        )


class CategoryResource(ServiceResource):
    slug = _column("slug", "slug")
    name = _column("name")
    parent = _column("parent")
    description = _column("description")
    icon = _column("icon")
    position = _column("position")
    active = _column("active")

    required_columns = ("slug", "name")
    optional_columns = ("parent", "description", "icon", "position", "active")
    key_column = "slug"

    class Meta:
        model = Category
        fields = ("slug", "name", "parent", "description", "icon", "position", "active")
        import_id_fields = ("slug",)
        instance_loader_class = CachedInstanceLoader
        skip_diff = True
        report_skipped = True
        clean_model_instances = False

    # A checked, not yet written category that later rows may hang from (``catalogue_stream``
    # without ``apply``); its id is unknown, so it stands as 0, which no category has.
    PLANNED_ID = 0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._planned: set[str] = set()

    def get_queryset(self) -> QuerySet[Category]:
        return Category.objects.select_related("parent").order_by("parent_id", "position", "name")

    def _parent_id(self, slug: str) -> int | None:
        parent_id = Category.objects.filter(slug=slug).values_list("pk", flat=True).first()
        if parent_id is None and slug in self._planned:
            return self.PLANNED_ID
        return parent_id

    def plan(self, instance, values: dict) -> None:
        if instance.pk is None:
            self._planned.add(instance.slug)

    def normalise_key(self, value) -> str:
        return _text(value).lower()

    def dehydrate_name(self, category):
        return category.name

    def dehydrate_parent(self, category):
        return category.parent.slug if category.parent_id else ""

    def dehydrate_description(self, category):
        return category.description

    def dehydrate_icon(self, category):
        return category.icon

    def dehydrate_position(self, category):
        return category.position

    def dehydrate_active(self, category):
        return int(category.is_active)

    def parse(self, instance, row) -> dict:
        errors: dict[str, list[str]] = {}
        values: dict = {"name": _text(row.get("name"))[:120]}
        if not values["name"]:
            errors["name"] = [_("Falta el nombre.")]
        if instance.pk is None and slugify(row["slug"]) != row["slug"]:
            errors["slug"] = [
                _("«%(slug)s» no es un slug válido (minúsculas, números y guiones).")
                % {"slug": row["slug"]}
            ]
        if "parent" in row:
            parent_slug = _text(row.get("parent")).lower()
            values["parent_id"] = None
            if parent_slug:
                if parent_slug == row["slug"]:
                    errors["parent"] = [_("Una categoría no puede colgar de sí misma.")]
                values["parent_id"] = self._parent_id(parent_slug)
                if values["parent_id"] is None and not errors.get("parent"):
                    errors["parent"] = [
                        _("La categoría padre «%(slug)s» no existe (póngala en una fila anterior).")
                        % {"slug": parent_slug}
                    ]
        if "description" in row:
            values["description"] = _text(row.get("description"))
        if "icon" in row:
            values["icon"] = _text(row.get("icon"))[:40] or "box"
        for column, key, parse in (
            (
                "position",
                "position",
                lambda: _integer(
                    row.get("position") or 0,
                    "position",
                    maximum=services.POSITION_MAX,
                    **self.reading,
                ),
            ),
            ("active", "is_active", lambda: _bool(row.get("active"), "active")),
        ):
            if column in row:
                try:
                    values[key] = parse()
                except ValidationError as error:
                    errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        return values

    def _changes(self, category: Category, values: dict) -> dict:
        return {
            field: value for field, value in values.items() if getattr(category, field) != value
        }

    def is_unchanged(self, instance, values) -> bool:
        return instance.pk is not None and not self._changes(instance, values)

    def apply(self, instance, is_create, values) -> None:
        if is_create:
            is_active = values.pop("is_active", True)
            category_id = services.category_create(slug=instance.slug, **values)
            if not is_active:
                services.category_update(category_id=category_id, is_active=False)
            created = Category.objects.get(pk=category_id)
            if created.slug != instance.slug:  # the slug was taken after all
                raise ValidationError({"slug": _("El slug ya existe.")})
            return
        changes = self._changes(instance, values)
        if changes:
            services.category_update(category_id=instance.pk, **changes)


class StockResource(ServiceResource):
    sku = _column("sku", "sku")
    on_hand = _column("on_hand")

    required_columns = ("sku", "on_hand")
    optional_columns = ()
    key_column = "sku"

    class Meta:
        model = Variant
        fields = ("sku", "on_hand")
        import_id_fields = ("sku",)
        instance_loader_class = CachedInstanceLoader
        skip_diff = True
        report_skipped = True
        clean_model_instances = False

    def get_queryset(self) -> QuerySet[Variant]:
        return Variant.objects.order_by("sku")

    def normalise_key(self, value) -> str:
        return _text(value).upper()

    def dehydrate_on_hand(self, variant):
        return variant.on_hand

    def parse(self, instance, row) -> dict:
        if instance.pk is None:
            raise ValidationError({"sku": _("El SKU «%(sku)s» no existe.") % {"sku": row["sku"]}})
        return {
            "on_hand": _integer(
                row.get("on_hand"), "on_hand", maximum=services.ON_HAND_MAX, **self.reading
            )
        }

    def is_unchanged(self, instance, values) -> bool:
        return instance.on_hand == values["on_hand"]

    def apply(self, instance, is_create, values) -> None:
        services.stock_level_set(
            variant_id=instance.pk,
            on_hand=values["on_hand"],
            reason=services.STOCK_IMPORT_REASON,
            user_id=self._user_id,
        )


class BrandResource(ServiceResource):
    """Brands (admin only): ``name, active``."""

    name = _column("name", "name")
    active = _column("active")

    required_columns = ("name",)
    optional_columns = ("active",)
    key_column = "name"

    class Meta:
        model = Brand
        fields = ("name", "active")
        import_id_fields = ("name",)
        skip_diff = True
        report_skipped = True
        clean_model_instances = False

    def get_instance(self, instance_loader, row):
        return Brand.objects.filter(name__iexact=row["name"]).first()

    def dehydrate_active(self, brand):
        return int(brand.is_active)

    def parse(self, instance, row) -> dict:
        return {"is_active": _bool(row.get("active", "1"), "active")}

    def is_unchanged(self, instance, values) -> bool:
        return instance.pk is not None and instance.is_active == values["is_active"]

    def apply(self, instance, is_create, values) -> None:
        if is_create:
            brand_id = services.brand_create(name=instance.name)
            if not values["is_active"]:
                services.brand_update(brand_id=brand_id, is_active=False)
        else:
            services.brand_update(brand_id=instance.pk, is_active=values["is_active"])


RESOURCES: dict[str, type[ServiceResource]] = {
    "products": ProductResource,
    "categories": CategoryResource,
    "stock": StockResource,
}


# --- Files -------------------------------------------------------------------------


def file_format(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise CatalogueFileError(
            _("Formato no admitido («%(name)s»): suba un archivo .csv o .xlsx.")
            % {"name": filename}
        )
    return extension


@dataclasses.dataclass
class FileReading:
    """How a file was read: its encoding (CSV) and the way it writes numbers."""

    encoding: str = ""
    number_style: str = spreadsheets.SPANISH  # an XLSX's text cells: the shop's way

    def notes(self) -> list[str]:
        if not self.encoding:
            return []
        style = (
            _("números a la española (1.299,99)")
            if self.number_style == spreadsheets.SPANISH
            else _("números con punto decimal (1,299.99)")
        )
        return [
            _("CSV leído en %(encoding)s, %(style)s.")
            % {"encoding": spreadsheets.ENCODING_LABELS[self.encoding], "style": style}
        ]


def _not_text_error(position) -> CatalogueFileError:
    return CatalogueFileError(
        _(
            "El CSV no está en UTF-8 ni en Windows-1252 (byte no válido hacia %(position)s). "
            "Guárdelo como «CSV UTF-8» y vuelva a subirlo."
        )
        % {"position": position}
    )


def read_dataset(
    *, content: bytes, filename: str, reading: FileReading | None = None
) -> tablib.Dataset:
    """The file as a tablib Dataset; CatalogueFileError with a clear reason if it cannot be read.

    ``reading`` (if given) is told the encoding and the way the file writes numbers."""
    reading = reading if reading is not None else FileReading()
    fmt = file_format(filename)
    if not content:
        raise CatalogueFileError(_("El archivo está vacío."))
    if fmt == "xlsx":
        if not content.startswith(b"PK\x03\x04"):
            raise CatalogueFileError(_("El archivo no es un libro XLSX válido."))
        try:
            from import_export.formats.base_formats import XLSX

            return _drop_blank_rows(XLSX().create_dataset(content))
        except Exception:  # openpyxl raises many kinds of error for a damaged file
            raise CatalogueFileError(_("No se pudo leer el libro XLSX: está dañado.")) from None
    if content.startswith(b"PK\x03\x04") or b"\x00" in content[:4096]:
        raise CatalogueFileError(_("El archivo no es un CSV de texto."))
    try:
        text, reading.encoding = spreadsheets.decode(content)
    except UnicodeDecodeError as error:
        raise _not_text_error(_("la posición %(position)s") % {"position": error.start}) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reading.number_style = spreadsheets.number_style(delimiter)
    try:
        dataset = tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    except Exception:  # tablib: ragged rows, broken quoting
        raise CatalogueFileError(
            _(
                "El CSV no se puede leer: revise las comillas y que cada fila tenga las mismas columnas."
            )
        ) from None
    return _drop_blank_rows(dataset)


def _drop_blank_rows(dataset: tablib.Dataset) -> tablib.Dataset:
    blank = [i for i, row in enumerate(dataset) if all(_text(value) == "" for value in row)]
    for index in reversed(blank):
        del dataset[index]
    return dataset


def _report(
    kind: str, dry_run: bool, result, keys: list[str], notes: dict[int, list[str]]
) -> ImportReport:
    errors = [str(error.error) for error in result.base_errors]
    rows = []
    for number, row_result in enumerate(result.rows, 1):
        if row_result.validation_error is not None or row_result.errors:
            messages = []
            if row_result.validation_error is not None:
                messages.extend(validation_messages(row_result.validation_error))
            messages.extend(str(error.error) for error in row_result.errors)
            action = "error"
        else:
            messages = list(notes.get(number, ()))
            action = {
                RowResult.IMPORT_TYPE_NEW: "new",
                RowResult.IMPORT_TYPE_UPDATE: "update",
                RowResult.IMPORT_TYPE_SKIP: "skip",
            }.get(row_result.import_type, "error")
        key = keys[number - 1] if number <= len(keys) else ""
        rows.append(RowReport(number=number + 1, action=action, key=key, messages=messages))
    return ImportReport(kind=kind, dry_run=dry_run, errors=errors, rows=rows)


def catalogue_import(
    *, kind: str, content: bytes, filename: str, dry_run: bool, user_id: int | None = None
) -> ImportReport:
    """Read a CSV/XLSX file and import it (or only try, with ``dry_run``). Never half-writes."""
    if kind not in RESOURCES:
        raise CatalogueFileError(_("Tipo de importación desconocido: %(kind)s.") % {"kind": kind})
    reading = FileReading()
    try:
        dataset = read_dataset(content=content, filename=filename, reading=reading)
    except CatalogueFileError as error:
        return ImportReport(kind=kind, dry_run=dry_run, errors=[error.message], rows=[])
    resource = RESOURCES[kind]()
    resource.number_style = reading.number_style
    result = resource.import_data(dataset, dry_run=dry_run, user_id=user_id)
    keys = list(dataset[resource.key_column]) if dataset.headers and len(dataset) else []
    report = _report(kind, dry_run, result, [str(key) for key in keys], resource.row_notes)
    report.notes = reading.notes()
    return report


def catalogue_export(*, kind: str, fmt: str) -> bytes:
    """The whole catalogue (one kind) in one of ``spreadsheets.EXPORT_FORMATS``, in the
    import's own columns (an export imports back unchanged, "CSV (Excel)" included)."""
    if kind not in RESOURCES or fmt not in spreadsheets.EXPORT_FORMATS:
        raise CatalogueFileError(_("Exportación no admitida."))
    dataset = RESOURCES[kind]().export()
    return spreadsheets.export_bytes(headers=dataset.headers, rows=dataset, fmt=fmt, title=kind)


# --- Streamed import (large files, import jobs) --------------------------------------------

CHUNK_ROWS = 500


def _is_blank(cells) -> bool:
    return all(_text(value) == "" for value in cells)


def _csv_rows(file, reading: FileReading) -> Iterator[tuple[int, list]]:
    head = file.read(4096)
    file.seek(0)
    if not head:
        raise CatalogueFileError(_("El archivo está vacío."))
    if head.startswith(b"PK\x03\x04") or b"\x00" in head:
        raise CatalogueFileError(_("El archivo no es un CSV de texto."))
    reading.encoding = spreadsheets.sniff_encoding(file)
    text = io.TextIOWrapper(file, encoding=reading.encoding, newline="")
    number = 0
    try:
        first_line = text.readline()
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reading.number_style = spreadsheets.number_style(delimiter)
        reader = csv.reader(itertools.chain([first_line], text), delimiter=delimiter)
        for number, cells in enumerate(reader, 1):
            yield number, cells
    except UnicodeDecodeError:
        raise _not_text_error(_("la fila %(row)s") % {"row": number + 1}) from None
    except csv.Error:
        raise CatalogueFileError(
            _(
                "El CSV no se puede leer: revise las comillas y que cada fila tenga las mismas columnas."
            )
        ) from None
    finally:
        with contextlib.suppress(ValueError):  # closed already
            text.detach()  # the caller owns (and closes) the file


def _xlsx_rows(file) -> Iterator[tuple[int, list]]:
    import openpyxl

    head = file.read(4)
    file.seek(0)
    if not head:
        raise CatalogueFileError(_("El archivo está vacío."))
    if head != b"PK\x03\x04":
        raise CatalogueFileError(_("El archivo no es un libro XLSX válido."))
    damaged = CatalogueFileError(_("No se pudo leer el libro XLSX: está dañado."))
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged file
        raise damaged from None
    try:
        rows = book.active.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception:
                raise damaged from None
            number += 1
            yield number, list(cells)
    finally:
        book.close()


def iter_file_rows(
    *, file, fmt: str, reading: FileReading | None = None
) -> Iterator[tuple[int, list]]:
    """Each non-blank row of a binary file as (its number in the file, its cells), streamed.

    ``reading`` (if given) is told the encoding and the way the file writes numbers."""
    reading = reading if reading is not None else FileReading()
    rows = _xlsx_rows(file) if fmt == "xlsx" else _csv_rows(file, reading)
    try:
        for number, cells in rows:
            if not _is_blank(cells):
                yield number, cells
    finally:
        rows.close()


def count_data_rows(*, file, fmt: str) -> int:
    """The rows below the header (XLSX: from the sheet's recorded size when it has one)."""
    if fmt == "xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
            try:
                max_row = book.active.max_row
            finally:
                book.close()
        except Exception:
            max_row = None
        finally:
            file.seek(0)
        if max_row:
            return max(0, max_row - 1)
    try:
        return max(0, sum(1 for _row in iter_file_rows(file=file, fmt=fmt)) - 1)
    except CatalogueFileError:
        return 0  # the import itself reports why
    finally:
        file.seek(0)


class CatalogueStream:
    """Check (and, with ``apply``, import) a file's rows a chunk at a time, by the resources' rules.

    Without ``apply`` nothing is written: a new row is only remembered where later rows may
    rely on it (a category that a later row names as parent). With ``apply`` each row is
    written through the services as it comes; the caller holds the transaction.
    """

    def __init__(self, *, kind: str, apply: bool, user_id: int | None = None, first_rows=None):
        if kind not in RESOURCES:
            raise CatalogueFileError(
                _("Tipo de importación desconocido: %(kind)s.") % {"kind": kind}
            )
        self.resource = RESOURCES[kind]()
        self.resource._user_id = user_id
        self.apply = apply
        self.headers: list[str] = []
        # Key -> the row it first appeared in. Kept here it grows ~100 bytes a row; with
        # ``first_rows`` (keys -> their first row among the rows reported so far, e.g. from
        # the stored report) only the current chunk's keys are held.
        self._first_seen: dict[str, int] = {}
        self._first_rows = first_rows

    def read_header(self, cells) -> None:
        self.headers = check_headers(self.resource, cells)

    def chunk(self, rows: list[tuple[int, list]]) -> list[RowReport]:
        width = len(self.headers)
        key_column = self.resource.key_column
        records = []
        for number, cells in rows:
            values = list(cells[:width]) + [""] * (width - len(cells))
            record = dict(zip(self.headers, values, strict=True))
            record[key_column] = self.resource.normalise_key(record[key_column])
            records.append((number, record, not _is_blank(cells[width:])))
        keys = sorted({record[key_column] for _n, record, _r in records if record[key_column]})
        instances = self.resource.instances_for(keys)
        if self._first_rows is not None:
            self._first_seen = dict(self._first_rows(keys)) if keys else {}
        return [
            self._row(number, record, instances.get(record[key_column]), ragged)
            for number, record, ragged in records
        ]

    def _row(self, number: int, record: dict, instance, ragged: bool) -> RowReport:
        resource = self.resource
        key = record[resource.key_column]
        first = self._first_seen.get(key) if key else None
        if key and first is None:
            self._first_seen[key] = number
        earlier = first if first is not None and first < number else None
        try:
            if ragged:
                raise ValidationError(
                    {"__all__": [_("La fila tiene más columnas que la cabecera.")]}
                )
            error = key_error(resource, key, earlier_row=earlier)
            if error is not None:
                raise error
            if instance is None:
                instance = resource.new_instance(key)
            values, notes = resource.parse_row(instance, record)
            if resource.is_unchanged(instance, values):
                action = "skip"
            else:
                action = "new" if instance.pk is None else "update"
                if self.apply:
                    resource.apply(instance, instance.pk is None, values)
                else:
                    resource.plan(instance, values)
        except ValidationError as error:
            return RowReport(number, "error", key, validation_messages(error))
        except ApplicationError as error:
            return RowReport(number, "error", key, [error.message])
        return RowReport(number, action, key, notes)


def catalogue_stream(
    *,
    kind: str,
    file,
    fmt: str,
    apply: bool,
    user_id: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    first_rows=None,
) -> Iterator[list[RowReport]]:
    """The report of each chunk of data rows, checked (and with ``apply`` written) as it is read.

    Memory stays flat: one chunk of rows at a time (and the keys already seen, unless
    ``first_rows`` looks them up; see CatalogueStream). Raises CatalogueFileError when the
    file cannot be read (at the start, or where it breaks).
    """
    stream = CatalogueStream(kind=kind, apply=apply, user_id=user_id, first_rows=first_rows)
    reading = FileReading()
    rows = iter_file_rows(file=file, fmt=fmt, reading=reading)
    try:
        header = next(rows, None)
        stream.resource.number_style = reading.number_style
        stream.read_header(header[1] if header else None)
        while chunk := list(itertools.islice(rows, chunk_rows)):
            yield stream.chunk(chunk)
    finally:
        rows.close()
