"""The manager's category and brand pages."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.forms import apply_service_error
from apps.core.permissions import manager_required

from ... import forms, selectors, services


@manager_required
def category_list(request):
    return render(
        request, "inventory/dashboard/category_list.html", {"categories": selectors.category_rows()}
    )


@manager_required
@require_http_methods(["GET", "POST"])
def category_form(request, pk: int | None = None):
    category = None
    initial = None
    if pk is not None:
        category = selectors.category_get(category_id=pk)
        if category is None:
            raise Http404
        initial = {
            "name": category.name,
            "name_en": category.name_en,
            "parent": category.parent_id,
            "description": category.description,
            "icon": category.icon,
            "position": category.position,
            "is_active": category.is_active,
        }
    form = forms.CategoryForm(request.POST or None, initial=initial, exclude_id=pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "name_en": data["name_en"],
            "parent_id": data["parent"],
            "description": data["description"],
            "icon": data["icon"],
            "position": data["position"],
        }
        try:
            if category is None:
                services.category_create(is_active=data["is_active"], **fields)
            else:
                services.category_update(
                    category_id=category.pk, is_active=data["is_active"], **fields
                )
        except services.InventoryValidationError as error:
            apply_service_error(form, error, {"parent_id": "parent"})
        else:
            messages.success(request, _("Categoría guardada."))
            return redirect("inventory_dashboard:category_list")
    return render(
        request, "inventory/dashboard/category_form.html", {"form": form, "category": category}
    )


@manager_required
@require_POST
def category_toggle(request, pk: int):
    category = selectors.category_get(category_id=pk)
    if category is None:
        raise Http404
    services.category_update(category_id=category.pk, is_active=not category.is_active)
    messages.success(
        request,
        _("Categoría reactivada.") if not category.is_active else _("Categoría desactivada."),
    )
    return redirect("inventory_dashboard:category_list")


@manager_required
def brand_list(request):
    return render(
        request, "inventory/dashboard/brand_list.html", {"brands": selectors.brand_rows()}
    )


@manager_required
@require_http_methods(["GET", "POST"])
def brand_form(request, pk: int | None = None):
    brand = None
    initial = None
    if pk is not None:
        brand = selectors.brand_get(brand_id=pk)
        if brand is None:
            raise Http404
        initial = {"name": brand.name, "is_active": brand.is_active}
    form = forms.BrandForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if brand is None:
                services.brand_create(
                    name=form.cleaned_data["name"], is_active=form.cleaned_data["is_active"]
                )
            else:
                services.brand_update(
                    brand_id=brand.pk,
                    name=form.cleaned_data["name"],
                    is_active=form.cleaned_data["is_active"],
                )
        except services.InventoryValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Marca guardada."))
            return redirect("inventory_dashboard:brand_list")
    return render(request, "inventory/dashboard/brand_form.html", {"form": form, "brand": brand})


@manager_required
@require_POST
def brand_toggle(request, pk: int):
    brand = selectors.brand_get(brand_id=pk)
    if brand is None:
        raise Http404
    services.brand_update(brand_id=brand.pk, is_active=not brand.is_active)
    messages.success(
        request, _("Marca reactivada.") if not brand.is_active else _("Marca desactivada.")
    )
    return redirect("inventory_dashboard:brand_list")
