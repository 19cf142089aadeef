"""Forms of the manager's coupon pages. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core import spreadsheets
from apps.core.forms import BootstrapFormMixin as _BootstrapFormMixin
from apps.inventory import selectors as inventory_selectors

from . import selectors, services
from .models import Coupon


class BootstrapFormMixin(_BootstrapFormMixin):
    select_multiple_css = "form-select coupon-picker"


ACTIVE_CHOICES = [("", _("Todos")), ("1", _("Activos")), ("0", _("Inactivos"))]
KIND_CHOICES = [("", _("Todos los tipos")), *Coupon.Kind.choices]


def category_choices() -> list[tuple[str, str]]:
    tree = inventory_selectors.category_tree()
    choices = []

    def walk(nodes):
        for node in nodes:
            choices.append((str(node.id), f"{'— ' * node.depth}{node.name}"))
            walk(tree.children_of(node.id))

    walk(tree.top())
    return choices


def brand_choices() -> list[tuple[str, str]]:
    return [
        (str(row["id"]), row["name"]) for row in inventory_selectors.brand_list(active_only=False)
    ]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CouponFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Código o nombre"), required=False, max_length=40)
    kind = forms.ChoiceField(label=_("Tipo"), required=False, choices=KIND_CHOICES)
    active = forms.ChoiceField(label=_("Estado"), required=False, choices=ACTIVE_CHOICES)

    def to_filters(self) -> selectors.CouponListFilters:
        if not self.is_valid():
            return selectors.CouponListFilters()
        data = self.cleaned_data
        active = {"1": True, "0": False}.get(data["active"])
        return selectors.CouponListFilters(q=data["q"], kind=data["kind"], active=active)


class _CouponRulesForm(BootstrapFormMixin, forms.Form):
    """The fields a single coupon and a generated batch share."""

    kind = forms.ChoiceField(label=_("Tipo"), choices=Coupon.Kind.choices)
    value = forms.DecimalField(
        label=_("Valor"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Porcentaje (de 1 a 100) o importe en euros; no se usa en «Envío gratis»."),
    )
    minimum_subtotal = forms.DecimalField(
        label=_("Importe mínimo del pedido (€)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        initial=0,
    )
    valid_from = forms.DateTimeField(
        label=_("Válido desde"), required=False, widget=DateTimeInput()
    )
    valid_until = forms.DateTimeField(
        label=_("Válido hasta"), required=False, widget=DateTimeInput()
    )
    category_ids = forms.TypedMultipleChoiceField(
        label=_("Solo en estas categorías (incluye sus subcategorías)"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    brand_ids = forms.TypedMultipleChoiceField(
        label=_("Solo en estas marcas"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    product_ids = forms.CharField(
        label=_("Solo en estos productos (ids)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Identificadores separados por comas. Sin ninguna restricción, vale para todo."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_ids"].choices = category_choices()
        self.fields["brand_ids"].choices = brand_choices()

    def clean_product_ids(self) -> list[int]:
        text = self.cleaned_data.get("product_ids") or ""
        try:
            ids = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Escriba números separados por comas.")) from None
        if any(i <= 0 for i in ids):
            raise forms.ValidationError(_("Escriba números separados por comas."))
        return ids


class CouponForm(_CouponRulesForm):
    code = forms.CharField(label=_("Código"), max_length=40)
    name = forms.CharField(label=_("Nombre"), required=False, max_length=120)
    description = forms.CharField(
        label=_("Descripción"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    max_uses = forms.IntegerField(
        label=_("Usos máximos en total"),
        required=False,
        min_value=1,
        max_value=services.MAX_USES_MAX,
    )
    max_uses_per_customer = forms.IntegerField(
        label=_("Usos máximos por cliente"),
        required=False,
        min_value=1,
        max_value=services.MAX_USES_PER_CUSTOMER_MAX,
    )
    first_order_only = forms.BooleanField(label=_("Solo para el primer pedido"), required=False)
    is_active = forms.BooleanField(label=_("Activo"), required=False, initial=True)

    field_order = [
        "code",
        "name",
        "description",
        "kind",
        "value",
        "minimum_subtotal",
        "valid_from",
        "valid_until",
        "max_uses",
        "max_uses_per_customer",
        "first_order_only",
        "category_ids",
        "brand_ids",
        "product_ids",
        "is_active",
    ]

    @staticmethod
    def initial_from(coupon: Coupon) -> dict:
        initial = {name: getattr(coupon, name) for name in CouponForm.field_order}
        initial["product_ids"] = ", ".join(str(i) for i in coupon.product_ids)
        return initial

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["value"] = data["value"] or 0
        if data["valid_from"] is None:
            data.pop("valid_from")
        return data


class CouponBulkForm(_CouponRulesForm):
    prefix = forms.CharField(label=_("Prefijo"), max_length=20)
    count = forms.IntegerField(
        label=_("Cantidad de códigos"), min_value=1, max_value=services.BULK_MAX, initial=100
    )
    name = forms.CharField(label=_("Nombre de la campaña"), required=False, max_length=120)
    download_format = forms.ChoiceField(
        label=_("Formato de la descarga"),
        choices=list(spreadsheets.EXPORT_FORMATS.items()),
        initial="csv",
        required=False,
    )

    field_order = [
        "prefix",
        "count",
        "name",
        "kind",
        "value",
        "minimum_subtotal",
        "valid_from",
        "valid_until",
    ]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("download_format", None)
        data["value"] = data["value"] or 0
        return data
