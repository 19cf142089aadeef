"""The manager's product pages: list, create, edit, variants, images, on/off."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.forms import apply_service_error
from apps.core.paging import page_number, querystring_without_page
from apps.core.permissions import manager_required

from ... import forms, selectors, services

PER_PAGE = 25


@manager_required
def product_list(request):
    filter_form = forms.ProductFilterForm(request.GET or None)
    page = selectors.dashboard_product_page(
        filters=filter_form.to_filters() if request.GET else selectors.DashboardProductFilters(),
        page=page_number(request),
        per_page=PER_PAGE,
    )
    return render(
        request,
        "inventory/dashboard/product_list.html",
        {
            "filter_form": filter_form,
            "page": page,
            "querystring": querystring_without_page(request),
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def product_create(request):
    form = forms.ProductForm(request.POST or None)
    specs = forms.SpecificationFormSet(request.POST or None, prefix="specs")
    variants = forms.NewVariantFormSet(request.POST or None, prefix="variants")
    if request.method == "POST" and form.is_valid() and specs.is_valid() and variants.is_valid():
        try:
            product_id = services.product_create(
                **form.service_fields(),
                specifications=forms.specifications_from(specs),
                variants=[v.variant_input() for v in variants.forms if v.cleaned_data],
                user_id=request.user.pk,
            )
        except services.InventoryValidationError as error:
            _variant_error(variants, error) or apply_service_error(
                form, error, forms.PRODUCT_ERROR_FIELDS
            )
        else:
            messages.success(request, _("Producto creado."))
            return redirect("inventory_dashboard:product_edit", pk=product_id)
    return render(
        request,
        "inventory/dashboard/product_form.html",
        {"form": form, "specs": specs, "variants": variants, "product": None},
    )


def _variant_error(formset, error) -> bool:
    """Put a variant's service error on its row; True if it was one."""
    details = error.details if isinstance(error.details, dict) else {}
    rows = [row for row in formset.forms if row.cleaned_data]
    if "sku" in details:  # duplicate/missing SKU: the row whose SKU the message names
        named = [row for row in rows if row.cleaned_data.get("sku", "") in error.message]
        target = (named or rows or [None])[0]
    elif "variant_id" in details:
        target = next(
            (row for row in rows if row.cleaned_data.get("variant_id") == details["variant_id"]),
            None,
        )
    elif {"price", "cost"} & set(details) and len(rows) == 1:
        target = rows[0]
    else:
        target = None
    if target is None:
        return False
    apply_service_error(target, error)
    return True


def product_or_404(pk: int):
    product = selectors.dashboard_product_get(product_id=pk)
    if product is None:
        raise Http404
    return product


@manager_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int):
    product = product_or_404(pk)
    variant_list = list(product.variants.all())
    initial = {
        "name": product.name,
        "category": product.category_id,
        "brand": product.brand_id,
        "description": product.description,
        "is_active": product.is_active,
        "is_featured": product.is_featured,
    }
    data = request.POST if request.method == "POST" else None
    form = forms.ProductForm(data, initial=initial)
    specs = forms.SpecificationFormSet(
        data,
        prefix="specs",
        initial=[{"name": name, "value": value} for name, value in product.specifications],
    )
    variants = forms.VariantEditFormSet(
        data, prefix="variants", initial=forms.variant_initial(variant_list)
    )
    if request.method == "POST" and form.is_valid() and specs.is_valid() and variants.is_valid():
        try:
            services.product_edit(
                product_id=product.pk,
                **form.service_fields(),
                specifications=forms.specifications_from(specs),
                variants={v.cleaned_data["variant_id"]: v.changes() for v in variants.forms},
            )
        except services.InventoryValidationError as error:
            _variant_error(variants, error) or apply_service_error(
                form, error, forms.PRODUCT_ERROR_FIELDS
            )
        except services.NotFoundError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Cambios guardados."))
            return redirect("inventory_dashboard:product_edit", pk=product.pk)
    return render(
        request,
        "inventory/dashboard/product_form.html",
        {
            "form": form,
            "specs": specs,
            "variants": variants,
            "variant_rows": list(zip(variants.forms, variant_list, strict=False)),
            "product": product,
            "new_variant": forms.NewVariantForm(prefix="new"),
            "images": selectors.product_images(product_id=product.pk),
            "image_form": forms.ProductImageForm(),
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def variant_add(request, pk: int):
    product = product_or_404(pk)
    form = forms.NewVariantForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            services.variant_add(
                product_id=product.pk, variant=form.variant_input(), user_id=request.user.pk
            )
        except services.InventoryValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Variante añadida."))
            return redirect("inventory_dashboard:product_edit", pk=product.pk)
    return render(
        request, "inventory/dashboard/variant_form.html", {"form": form, "product": product}
    )


@manager_required
@require_POST
def product_image_add(request, pk: int):
    product = product_or_404(pk)
    form = forms.ProductImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.product_image_add(
                product_id=product.pk,
                image=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except services.InventoryValidationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Imagen añadida."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("inventory_dashboard:product_edit", pk=product.pk)


@manager_required
@require_POST
def product_image_remove(request, pk: int, image_id: int):
    product = product_or_404(pk)
    try:
        services.product_image_remove(product_id=product.pk, image_id=image_id)
    except services.NotFoundError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Imagen eliminada."))
    return redirect("inventory_dashboard:product_edit", pk=product.pk)


@manager_required
@require_POST
def product_toggle(request, pk: int):
    product = product_or_404(pk)
    services.product_update(product_id=product.pk, is_active=not product.is_active)
    messages.success(
        request, _("Producto reactivado.") if not product.is_active else _("Producto desactivado.")
    )
    return redirect("inventory_dashboard:product_edit", pk=product.pk)
