from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Address, ApiToken, User


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, and ``is-invalid`` on the fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
            if isinstance(widget, forms.Select):
                css = "form-select"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class AdminUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class AdminUserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class SignUpForm(BootstrapFormMixin, BaseUserCreationForm):
    """Only e-mail, name and the two passwords are read; anything else posted is ignored."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["password1"].label = _("Contraseña")
        self.fields["password2"].label = _("Repita la contraseña")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"].strip()).lower()
        if selectors.user_exists(email=email):
            raise forms.ValidationError(_("Ya existe una cuenta con este correo electrónico."))
        return email

    def validate_unique(self):
        """clean_email already checked, in any case; the service checks again."""


class ProfileForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "phone")
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}


class AddressForm(BootstrapFormMixin, forms.ModelForm):
    """The address fields a customer may set; the owner always comes from the session."""

    class Meta:
        model = Address
        fields = (
            "label",
            "full_name",
            "line1",
            "line2",
            "postal_code",
            "city",
            "province",
            "country",
            "phone",
            "is_default",
        )
        widgets = {
            "label": forms.TextInput(attrs={"placeholder": _("Casa, trabajo…")}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "province": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "country": forms.TextInput(attrs={"autocomplete": "country", "maxlength": 2}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }
        help_texts = {"country": _("Código de dos letras, p. ej. ES.")}

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Escriba el código de país de dos letras (ES, PT…)."))
        return country


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Nombre"), max_length=100)
    scope = forms.ChoiceField(
        label=_("Alcance"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )


class AccountEraseForm(BootstrapFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Contraseña actual"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Entiendo que mi cuenta se desactivará y mis datos personales se borrarán."),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if self.user is None or not self.user.check_password(password):
            raise forms.ValidationError(_("La contraseña no es correcta."))
        return password


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass
