"""Form building blocks shared by the apps' pages."""

from django import forms


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, and ``is-invalid`` on the fields with errors."""

    select_multiple_css = "form-select"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.HiddenInput):
                continue  # radios are laid out by their templates
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.SelectMultiple):
                css = self.select_multiple_css
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


def apply_service_error(form: forms.Form, error, field_map: dict[str, str] | None = None) -> None:
    """Show a service's validation error next to the field its ``details`` name (else on top)."""
    field_map = field_map or {}
    details = error.details if isinstance(error.details, dict) else {}
    for key in details:
        name = field_map.get(key, key)
        if name in form.fields and not form.fields[name].widget.is_hidden:
            form.add_error(name, error.message)
            return
    form.add_error(None, error.message)
