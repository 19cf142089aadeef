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


PRODUCT_QUERY = "product_q"  # the picker's search box
PRODUCT_SEARCH = "product_search"  # its button: search, do not save


def product_label(product: inventory_selectors.ProductChoice) -> str:
    label = f"{product.name} · {product.brand}" if product.brand else product.name
    label = f"{label} (#{product.id})"
    return label if product.is_active else f"{label} · {_('inactivo')}"


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
    # Picked from a search (``product_picker``), never typed: only products that exist.
    product_ids = forms.TypedMultipleChoiceField(
        label=_("Solo en estos productos"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sin ninguna restricción, el cupón vale para todo."),
        error_messages={"invalid_choice": _("Uno de los productos elegidos ya no existe.")},
    )

    def __init__(self, *args, product_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_ids"].choices = category_choices()
        self.fields["brand_ids"].choices = brand_choices()
        self.product_query = product_query.strip()[:100]
        picked = self._picked_product_ids()
        chosen = inventory_selectors.product_choices(product_ids=picked) if picked else []
        found = inventory_selectors.product_choices(q=self.product_query)
        self.product_results = [p for p in found if p.id not in picked]
        self.fields["product_ids"].choices = [
            (str(p.id), product_label(p)) for p in [*chosen, *self.product_results]
        ]
        self.chosen_products = chosen

    def _picked_product_ids(self) -> list[int]:
        raw = (
            self.data.getlist(self.add_prefix("product_ids"))
            if self.is_bound and hasattr(self.data, "getlist")
            else self.initial.get("product_ids") or []
        )
        return sorted({int(v) for v in raw if str(v).isdigit() and len(str(v)) <= 18})

    def product_picker(self) -> dict:
        """What the picker shows: the chosen products (ticked) and the search's results."""
        picked = {str(v) for v in (self["product_ids"].value() or [])}
        return {
            "chosen": [(p, product_label(p), str(p.id) in picked) for p in self.chosen_products],
            "results": [(p, product_label(p), str(p.id) in picked) for p in self.product_results],
            "query": self.product_query,
        }

    @classmethod
    def redisplay(cls, data, **kwargs):
        """The form as the manager left it, unbound (no errors yet): after a product search."""
        probe = cls(data, **kwargs)
        initial = {name: probe[name].data for name in probe.fields}
        return cls(initial=initial, product_query=data.get(PRODUCT_QUERY, ""), **kwargs)


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
        return {name: getattr(coupon, name) for name in CouponForm.field_order}

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
