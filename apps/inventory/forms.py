"""Forms of the manager's catalogue and stock pages. They parse input; the services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.bounds import BIGINT_MAX
from apps.core.forms import BootstrapFormMixin

from . import selectors, services
from .models import StockMovement
from .services.import_files import format_options

ACTIVE_CHOICES = [("", _("Todos")), ("1", _("Activos")), ("0", _("Inactivos"))]


def category_choices(*, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [("", blank)] if blank is not None else []
    for row in selectors.category_rows():
        label = f"{'— ' * row['depth']}{row['name']}"
        if not row["is_active"]:
            label = _("%(name)s (inactiva)") % {"name": label}
        choices.append((str(row["id"]), label))
    return choices


def brand_choices(*, blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [
        (
            str(row["id"]),
            row["name"] if row["is_active"] else _("%(name)s (inactiva)") % {"name": row["name"]},
        )
        for row in selectors.brand_rows()
    ]


def parse_options(text: str) -> dict[str, str]:
    """'Color: Negro; Capacidad: 256 GB' -> {'Color': 'Negro', 'Capacidad': '256 GB'}."""
    options: dict[str, str] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition(":")
        if not sep or not name.strip() or not value.strip():
            raise forms.ValidationError(
                _("Escriba las opciones como «Nombre: valor», separadas por punto y coma.")
            )
        options[name.strip()] = value.strip()
    return options


# --- Products ------------------------------------------------------------------------


class ProductFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Buscar"), required=False, max_length=100)
    category = forms.TypedChoiceField(
        label=_("Categoría"), required=False, coerce=int, empty_value=None
    )
    brand = forms.TypedChoiceField(label=_("Marca"), required=False, coerce=int, empty_value=None)
    active = forms.ChoiceField(label=_("Estado"), required=False, choices=ACTIVE_CHOICES)
    low_stock = forms.BooleanField(label=_("Pocas existencias"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(blank=_("Todas"))
        self.fields["brand"].choices = brand_choices(blank=_("Todas"))

    def to_filters(self) -> selectors.DashboardProductFilters:
        data = self.cleaned_data if self.is_valid() else {}
        active = data.get("active", "")
        return selectors.DashboardProductFilters(
            q=data.get("q", ""),
            category_id=data.get("category"),
            brand_id=data.get("brand"),
            active=None if active == "" else active == "1",
            low_stock=bool(data.get("low_stock")),
        )


class ProductForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Nombre"), max_length=200)
    category = forms.TypedChoiceField(label=_("Categoría"), coerce=int)
    brand = forms.TypedChoiceField(label=_("Marca"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(
        label=_("Descripción"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    is_active = forms.BooleanField(label=_("Activo"), required=False, initial=True)
    is_featured = forms.BooleanField(label=_("Destacado"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(blank="—")
        self.fields["brand"].choices = brand_choices(blank=_("Sin marca"))

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "category_id": data["category"],
            "brand_id": data["brand"],
            "description": data["description"],
            "is_active": data["is_active"],
            "is_featured": data["is_featured"],
        }


PRODUCT_ERROR_FIELDS = {"category_id": "category", "brand_id": "brand"}


class SpecificationForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Atributo"), required=False, max_length=80)
    value = forms.CharField(label=_("Valor"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if bool(data.get("name")) != bool(data.get("value")):
            raise forms.ValidationError(_("Rellene el atributo y su valor, o deje ambos vacíos."))
        return data


SpecificationFormSet = forms.formset_factory(SpecificationForm, extra=3, max_num=60)


def specifications_from(formset) -> list[list[str]]:
    return [
        [form.cleaned_data["name"], form.cleaned_data["value"]]
        for form in formset.forms
        if form.cleaned_data.get("name") and form.cleaned_data.get("value")
    ]


class VariantFieldsMixin(forms.Form):
    options = forms.CharField(
        label=_("Opciones"),
        required=False,
        max_length=500,
        help_text=_("Por ejemplo: Color: Negro; Capacidad: 256 GB"),
    )
    price = forms.DecimalField(
        label=_("Precio (IVA incl.)"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    cost = forms.DecimalField(
        label=_("Coste"), min_value=Decimal("0"), max_digits=10, decimal_places=2, initial=0
    )
    low_stock_threshold = forms.IntegerField(
        label=_("Aviso de pocas existencias"),
        min_value=0,
        max_value=services.LOW_STOCK_THRESHOLD_MAX,
        initial=5,
    )
    is_active = forms.BooleanField(label=_("Activa"), required=False, initial=True)

    def clean_options(self):
        return parse_options(self.cleaned_data.get("options", ""))


class NewVariantForm(BootstrapFormMixin, VariantFieldsMixin):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    initial_stock = forms.IntegerField(
        label=_("Existencias iniciales"),
        min_value=0,
        max_value=services.STOCK_MOVEMENT_MAX,
        initial=0,
    )

    field_order = [
        "sku",
        "options",
        "price",
        "cost",
        "low_stock_threshold",
        "initial_stock",
        "is_active",
    ]

    def clean_sku(self):
        return self.cleaned_data["sku"].strip().upper()

    def variant_input(self) -> services.VariantInput:
        data = self.cleaned_data
        return services.VariantInput(
            sku=data["sku"],
            price=data["price"],
            cost=data["cost"],
            options=data["options"],
            low_stock_threshold=data["low_stock_threshold"],
            is_active=data["is_active"],
            initial_stock=data["initial_stock"],
        )


class BaseNewVariantFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        skus = [form.cleaned_data["sku"] for form in self.forms if form.cleaned_data]
        if not skus:
            raise forms.ValidationError(_("Un producto necesita al menos una variante."))
        if len(set(skus)) != len(skus):
            raise forms.ValidationError(_("Hay SKU repetidos entre las variantes."))


NewVariantFormSet = forms.formset_factory(
    NewVariantForm, formset=BaseNewVariantFormSet, extra=1, max_num=50
)


class VariantEditForm(BootstrapFormMixin, VariantFieldsMixin):
    variant_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=BIGINT_MAX)

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "options": data["options"],
            "price": data["price"],
            "cost": data["cost"],
            "low_stock_threshold": data["low_stock_threshold"],
            "is_active": data["is_active"],
        }


VariantEditFormSet = forms.formset_factory(VariantEditForm, extra=0)


def variant_initial(variants) -> list[dict]:
    return [
        {
            "variant_id": variant.pk,
            "options": format_options(variant.options),
            "price": variant.price,
            "cost": variant.cost,
            "low_stock_threshold": variant.low_stock_threshold,
            "is_active": variant.is_active,
        }
        for variant in variants
    ]


# --- Categories and brands -------------------------------------------------------------


class CategoryForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Nombre"), max_length=120)
    name_en = forms.CharField(
        label=_("Nombre en inglés"),
        max_length=120,
        required=False,
        help_text=_("Lo que leen los visitantes en inglés; si lo deja vacío, verán el nombre."),
    )
    parent = forms.TypedChoiceField(
        label=_("Categoría padre"), required=False, coerce=int, empty_value=None
    )
    description = forms.CharField(
        label=_("Descripción"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    icon = forms.CharField(
        label=_("Icono"),
        max_length=40,
        initial="box",
        help_text=_("Nombre de un icono de Bootstrap Icons, por ejemplo «laptop»."),
    )
    position = forms.IntegerField(
        label=_("Posición"), min_value=0, max_value=services.POSITION_MAX, initial=0
    )
    is_active = forms.BooleanField(label=_("Activa"), required=False, initial=True)

    def __init__(self, *args, exclude_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [
            choice
            for choice in category_choices(blank=_("Ninguna (categoría principal)"))
            if choice[0] != str(exclude_id)
        ]

    def clean_icon(self):
        icon = self.cleaned_data["icon"].strip()
        if not icon.replace("-", "").isalnum():
            raise forms.ValidationError(_("Use solo letras, números y guiones."))
        return icon


class BrandForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Nombre"), max_length=120)
    is_active = forms.BooleanField(label=_("Activa"), required=False, initial=True)


# --- Stock -----------------------------------------------------------------------------


class StockReceiveForm(BootstrapFormMixin, forms.Form):
    quantity = forms.IntegerField(
        label=_("Cantidad recibida"), min_value=1, max_value=services.STOCK_MOVEMENT_MAX
    )
    reference = forms.CharField(
        label=_("Referencia"),
        required=False,
        max_length=64,
        help_text=_("Albarán, pedido al proveedor…"),
    )
    reason = forms.CharField(label=_("Nota"), required=False, max_length=255)


class StockAdjustForm(BootstrapFormMixin, forms.Form):
    delta = forms.IntegerField(
        label=_("Ajuste (+/-)"),
        min_value=-services.STOCK_MOVEMENT_MAX,
        max_value=services.STOCK_MOVEMENT_MAX,
        help_text=_("Positivo suma unidades; negativo las resta."),
    )
    reason = forms.CharField(label=_("Motivo"), max_length=255)

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError(_("El ajuste no puede ser cero."))
        return delta


class MovementFilterForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Tipo"), required=False, choices=[("", _("Todos")), *StockMovement.Kind.choices]
    )
    date_from = forms.DateField(
        label=_("Desde"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("SKU o referencia"), required=False, max_length=64)

    def to_filters(self, *, product_id: int | None = None) -> selectors.MovementFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.MovementFilters(
            kind=data.get("kind", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q", ""),
            product_id=product_id,
        )


# --- Import --------------------------------------------------------------------------


class ImportForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Qué importa"),
        choices=[
            ("products", _("Productos (una fila por variante)")),
            ("categories", _("Categorías")),
            ("stock", _("Existencias")),
        ],
    )
    file = forms.FileField(label=_("Archivo CSV o XLSX"))
    keep_good_rows = forms.BooleanField(
        label=_("Importar las filas válidas aunque otras tengan errores"),
        required=False,
        help_text=_("Sin marcar, se importa todo o nada."),
    )

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("El archivo supera el tamaño máximo de 20 MB."))
        return upload


class ProductImageForm(forms.Form):
    image = forms.FileField(label=_("Imagen (JPEG, PNG, WebP o GIF, hasta 5 MB)"))
    alt_text = forms.CharField(label=_("Texto alternativo"), max_length=200, required=False)
