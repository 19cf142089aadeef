"""The checkout form and the manager's order forms. They parse input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import BootstrapFormMixin

from . import selectors, services
from .models import Order

NEW_ADDRESS = "new"
CARD_FIELDS = ("card_number", "card_cvc")  # never rendered back, never logged, never stored


class SecretInput(forms.TextInput):
    """A card field: typed by the customer, never written back into a page."""

    def format_value(self, value):
        return None


def _months():
    return [("", "MM")] + [(m, f"{m:02d}") for m in range(1, 13)]


def _years():
    this_year = timezone.localdate().year
    return [("", _("AAAA"))] + [(y, str(y)) for y in range(this_year, this_year + 16)]


class CheckoutForm(BootstrapFormMixin, forms.Form):
    """Address (from the book or new), shipping, payment. Prices never come from here."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    cart_signature = forms.CharField(widget=forms.HiddenInput, max_length=64)

    address = forms.ChoiceField(
        label=_("Dirección de envío"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    full_name = forms.CharField(
        label=_("Destinatario"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping name"}),
    )
    line1 = forms.CharField(
        label=_("Dirección"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-line1"}),
    )
    line2 = forms.CharField(
        label=_("Piso, puerta… (opcional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-line2"}),
    )
    postal_code = forms.CharField(
        label=_("Código postal"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping postal-code"}),
    )
    city = forms.CharField(
        label=_("Ciudad"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-level2"}),
    )
    province = forms.CharField(
        label=_("Provincia"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-level1"}),
    )
    country = forms.CharField(
        label=_("País"),
        max_length=2,
        required=False,
        initial="ES",
        help_text=_("Código de dos letras, p. ej. ES."),
        widget=forms.TextInput(attrs={"autocomplete": "shipping country"}),
    )
    phone = forms.CharField(
        label=_("Teléfono"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "shipping tel"}),
    )
    save_address = forms.BooleanField(
        label=_("Guardar esta dirección en mi libreta"), required=False, initial=True
    )

    shipping_method = forms.ChoiceField(
        label=_("Envío"),
        choices=Order.ShippingMethod.choices,
        initial=Order.ShippingMethod.STANDARD,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    payment_method = forms.ChoiceField(
        label=_("Forma de pago"),
        choices=Order.PaymentMethod.choices,
        initial=Order.PaymentMethod.CARD,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    card_number = forms.CharField(
        label=_("Número de tarjeta"),
        max_length=23,
        required=False,
        widget=SecretInput(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    card_exp_month = forms.TypedChoiceField(
        label=_("Mes de caducidad"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"autocomplete": "cc-exp-month"}),
    )
    card_exp_year = forms.TypedChoiceField(
        label=_("Año de caducidad"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"autocomplete": "cc-exp-year"}),
    )
    card_cvc = forms.CharField(
        label=_("CVC"),
        max_length=4,
        required=False,
        help_text=_("Los 3 o 4 dígitos del reverso."),
        widget=SecretInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )

    NEW_ADDRESS_FIELDS = ("full_name", "line1", "line2", "postal_code", "city", "province")
    NEW_ADDRESS_REST = ("country", "phone", "save_address")

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {str(a.id): a for a in addresses}
        self.fields["address"].choices = [
            (
                key,
                f"{a.label + ': ' if a.label else ''}{a.full_name}, {a.line1}, "
                f"{a.postal_code} {a.city}",
            )
            for key, a in self.addresses.items()
        ] + [(NEW_ADDRESS, _("Otra dirección"))]
        self.fields["card_exp_month"].choices = _months()
        self.fields["card_exp_year"].choices = _years()

    def clean_card_number(self):
        return "".join(ch for ch in self.cleaned_data["card_number"] if not ch.isspace())

    def clean_country(self):
        return (self.cleaned_data["country"] or "ES").strip().upper()

    def clean(self):
        data = super().clean()
        if data.get("address") == NEW_ADDRESS:
            for name in ("full_name", "line1", "postal_code", "city"):
                if not data.get(name, "").strip():
                    self.add_error(name, _("Este campo es obligatorio."))
            country = data.get("country", "")
            if len(country) != 2 or not country.isalpha():
                self.add_error("country", _("Escriba el código de país de dos letras (ES, PT…)."))
        if data.get("payment_method") == Order.PaymentMethod.CARD:
            for name in ("card_number", "card_exp_month", "card_exp_year", "card_cvc"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Este campo es obligatorio."))
        return data

    # What the services need, from the cleaned data.

    def new_address(self) -> bool:
        return self.cleaned_data["address"] == NEW_ADDRESS

    def shipping_address(self) -> services.ShippingAddress:
        data = self.cleaned_data
        if not self.new_address():
            chosen = self.addresses[data["address"]]
            return services.ShippingAddress.from_fields(chosen)
        return services.ShippingAddress.from_fields(data)

    def card(self) -> services.CardInput | None:
        data = self.cleaned_data
        if data["payment_method"] != Order.PaymentMethod.CARD:
            return None
        return services.CardInput(
            number=data["card_number"],
            exp_month=data["card_exp_month"],
            exp_year=data["card_exp_year"],
            cvc=data["card_cvc"],
        )

    def fingerprint(self) -> dict:
        """The request as the idempotency key remembers it: no card number, no CVC."""
        data = self.cleaned_data
        card = data["payment_method"] == Order.PaymentMethod.CARD
        return {
            "address": data["address"],
            "new_address": {name: data[name] for name in self.NEW_ADDRESS_FIELDS}
            if self.new_address()
            else None,
            "shipping_method": data["shipping_method"],
            "payment_method": data["payment_method"],
            "card_last4": data["card_number"][-4:] if card else "",
            "cart": data["cart_signature"],
        }

    @classmethod
    def kept_from(cls, data) -> dict:
        """What a re-rendered form keeps of a submission: everything but the card's secrets."""
        skip = {*CARD_FIELDS, "token", "cart_signature", "save_address"}
        kept = {
            name: data.get(name) for name in cls.base_fields if name in data and name not in skip
        }
        kept["save_address"] = "save_address" in data
        return kept


# --- Manager -----------------------------------------------------------------------------


class OrderFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Buscar (número o correo)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Estado"), required=False, choices=[("", _("Todos")), *Order.Status.choices]
    )
    payment_method = forms.ChoiceField(
        label=_("Forma de pago"),
        required=False,
        choices=[("", _("Todas")), *Order.PaymentMethod.choices],
    )
    email = forms.CharField(label=_("Correo del cliente"), required=False, max_length=254)
    coupon = forms.CharField(label=_("Cupón"), required=False, max_length=40)
    date_from = forms.DateField(
        label=_("Desde"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> tuple[selectors.OrderFilters, str]:
        """The filters to search with; invalid input counts as not filtering by it."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return (
            selectors.OrderFilters(
                q=data.get("q", ""),
                status=data.get("status", ""),
                payment_method=data.get("payment_method", ""),
                coupon=data.get("coupon", ""),
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
            ),
            data.get("email", ""),
        )


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=Order.Status.choices)
    note = forms.CharField(label=_("Nota (opcional)"), required=False, max_length=255)


class RefundForm(BootstrapFormMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("Importe a reembolsar (€)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Vacío: todo lo que queda por reembolsar."),
    )
    note = forms.CharField(label=_("Motivo"), required=False, max_length=255)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in lines:
            remaining = line.quantity - line.refunded_quantity
            if remaining <= 0:
                continue
            name = f"restock_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("Devolver al almacén: %(name)s (máx. %(max)s)")
                % {"name": line.name, "max": remaining},
                required=False,
                min_value=0,
                max_value=remaining,
                widget=forms.NumberInput(attrs={"class": "form-control qty-input"}),
            )
            self.line_fields.append((line.pk, name))

    def restock(self) -> list[services.RefundLine]:
        return [
            services.RefundLine(line_id=line_id, quantity=self.cleaned_data[name])
            for line_id, name in self.line_fields
            if self.cleaned_data.get(name)
        ]
