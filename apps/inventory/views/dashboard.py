"""The manager's catalogue and stock pages (/dashboard/catalogo/). Every view is manager-only.

Thin: forms parse, ``services`` write, ``selectors`` read, ``resources`` import/export.
"""

import uuid

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import ApplicationError
from apps.core.forms import apply_service_error
from apps.core.paging import page_number, querystring_without_page
from apps.core.permissions import manager_required

from .. import forms, resources, selectors, services

PER_PAGE = 25
IMPORT_SESSION_KEY = "inventory_import"


# --- Products --------------------------------------------------------------------------


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


def _product_or_404(pk: int):
    product = selectors.dashboard_product_get(product_id=pk)
    if product is None:
        raise Http404
    return product


@manager_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int):
    product = _product_or_404(pk)
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
    product = _product_or_404(pk)
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
    product = _product_or_404(pk)
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
    product = _product_or_404(pk)
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
    product = _product_or_404(pk)
    services.product_update(product_id=product.pk, is_active=not product.is_active)
    messages.success(
        request, _("Producto reactivado.") if not product.is_active else _("Producto desactivado.")
    )
    return redirect("inventory_dashboard:product_edit", pk=product.pk)


# --- Stock -----------------------------------------------------------------------------


def _variant_or_404(pk: int):
    variant = selectors.dashboard_variant_get(variant_id=pk)
    if variant is None:
        raise Http404
    return variant


@manager_required
@require_http_methods(["GET", "POST"])
def variant_stock(request, pk: int):
    """Receive or adjust one variant's stock (two forms on one page, told apart by ``action``)."""
    variant = _variant_or_404(pk)
    action = request.POST.get("action") if request.method == "POST" else None
    receive = forms.StockReceiveForm(
        request.POST if action == "receive" else None, prefix="receive"
    )
    adjust = forms.StockAdjustForm(request.POST if action == "adjust" else None, prefix="adjust")
    try:
        if action == "receive" and receive.is_valid():
            on_hand = services.stock_receive(
                variant_id=variant.pk,
                quantity=receive.cleaned_data["quantity"],
                reference=receive.cleaned_data["reference"],
                reason=receive.cleaned_data["reason"],
                user_id=request.user.pk,
            )
            messages.success(request, _("Entrada registrada. Existencias: %(n)s.") % {"n": on_hand})
            return redirect("inventory_dashboard:variant_stock", pk=variant.pk)
        if action == "adjust" and adjust.is_valid():
            on_hand = services.stock_adjust(
                variant_id=variant.pk,
                delta=adjust.cleaned_data["delta"],
                reason=adjust.cleaned_data["reason"],
                user_id=request.user.pk,
            )
            messages.success(request, _("Ajuste registrado. Existencias: %(n)s.") % {"n": on_hand})
            return redirect("inventory_dashboard:variant_stock", pk=variant.pk)
    except services.InventoryValidationError as error:
        apply_service_error(receive if action == "receive" else adjust, error)
    except services.OutOfStockError as error:
        adjust.add_error("delta", error.message)
    movements = selectors.movement_page(
        filters=selectors.MovementFilters(q=variant.sku, product_id=variant.product_id), per_page=10
    )
    return render(
        request,
        "inventory/dashboard/variant_stock.html",
        {"variant": variant, "receive": receive, "adjust": adjust, "movements": movements},
    )


def _movements(request, *, product=None):
    filter_form = forms.MovementFilterForm(request.GET or None)
    page = selectors.movement_page(
        filters=filter_form.to_filters(product_id=product.pk if product else None)
        if request.GET
        else selectors.MovementFilters(product_id=product.pk if product else None),
        page=page_number(request),
    )
    return render(
        request,
        "inventory/dashboard/movement_list.html",
        {
            "filter_form": filter_form,
            "page": page,
            "product": product,
            "querystring": querystring_without_page(request),
        },
    )


@manager_required
def movement_list(request):
    return _movements(request)


@manager_required
def product_movements(request, pk: int):
    return _movements(request, product=_product_or_404(pk))


@manager_required
def low_stock(request):
    return render(
        request, "inventory/dashboard/low_stock.html", {"variants": selectors.low_stock_list()}
    )


@manager_required
def valuation(request):
    return render(
        request,
        "inventory/dashboard/valuation.html",
        {"valuation": selectors.inventory_valuation(), "now": timezone.now()},
    )


# --- Categories and brands ---------------------------------------------------------------


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
                category_id = services.category_create(**fields)
                if not data["is_active"]:
                    services.category_update(category_id=category_id, is_active=False)
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
                brand_id = services.brand_create(name=form.cleaned_data["name"])
                if not form.cleaned_data["is_active"]:
                    services.brand_update(brand_id=brand_id, is_active=False)
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


# --- Import and export -----------------------------------------------------------------


def _is_large(upload) -> bool:
    try:
        return services.import_is_large(file=upload, filename=upload.name)
    except ApplicationError:  # not CSV/XLSX: the dry run below says so
        return False
    finally:
        upload.seek(0)


@manager_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a file and see the dry run: what each row would do. Nothing is written yet.

    A large file becomes an import job: checked on a worker, followed on its own page.
    """
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        if _is_large(upload):
            job_id = services.import_job_create(
                kind=kind, file=upload, filename=upload.name, user_id=request.user.pk
            )
            messages.info(request, _("El archivo es grande: se está comprobando en segundo plano."))
            return redirect("inventory_dashboard:import_job", pk=job_id)
        content = upload.read()
        report = resources.catalogue_import(
            kind=kind, content=content, filename=upload.name, dry_run=True, user_id=request.user.pk
        )
        _discard_pending(request)
        if report.ok and report.rows:
            token = uuid.uuid4().hex
            extension = resources.file_format(upload.name)
            path = default_storage.save(f"imports/{token}.{extension}", ContentFile(content))
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "path": path,
                "kind": kind,
                "name": upload.name[:200],
            }
    return render(
        request,
        "inventory/dashboard/import.html",
        {
            "form": form,
            "report": report,
            "token": token,
            "labels": resources.ACTION_LABELS,
            "jobs": selectors.import_job_list(),
        },
    )


def _discard_pending(request) -> None:
    pending = request.session.pop(IMPORT_SESSION_KEY, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])


@manager_required
@require_POST
def import_confirm(request):
    """Apply the file checked in the dry run, all or nothing."""
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or request.POST.get("token") != pending["token"]:
        messages.error(request, _("La importación ha caducado. Vuelva a subir el archivo."))
        return redirect("inventory_dashboard:import")
    if not default_storage.exists(pending["path"]):
        request.session.pop(IMPORT_SESSION_KEY, None)
        messages.error(request, _("La importación ha caducado. Vuelva a subir el archivo."))
        return redirect("inventory_dashboard:import")
    with default_storage.open(pending["path"], "rb") as stored:
        content = stored.read()
    report = resources.catalogue_import(
        kind=pending["kind"],
        content=content,
        filename=pending["name"],
        dry_run=False,
        user_id=request.user.pk,
    )
    _discard_pending(request)
    if report.applied:
        totals = report.totals
        messages.success(
            request,
            _(
                "Importación aplicada: %(new)s nuevos, %(update)s actualizados, %(skip)s sin cambios."
            )
            % totals,
        )
    else:
        messages.error(
            request,
            _("La importación no se aplicó: el archivo ya no es válido. No se ha cambiado nada."),
        )
    return render(
        request,
        "inventory/dashboard/import.html",
        {
            "form": forms.ImportForm(),
            "report": report,
            "labels": resources.ACTION_LABELS,
            "jobs": selectors.import_job_list(),
        },
    )


@manager_required
def import_job_detail(request, pk: int):
    """An import job: its state and progress (the page refreshes itself while it runs) and report."""
    job = selectors.import_job_get(job_id=pk)
    if job is None:
        raise Http404
    errors_only = request.GET.get("filas") == "errores"
    rows = selectors.import_job_row_page(
        job_id=job.id, errors_only=errors_only, page=page_number(request)
    )
    return render(
        request,
        "inventory/dashboard/import_job.html",
        {
            "job": job,
            "rows": rows,
            "errors_only": errors_only,
            "querystring": querystring_without_page(request),
            "labels": resources.ACTION_LABELS,
        },
    )


@manager_required
@require_POST
def import_job_confirm(request, pk: int):
    """Import a job's file after its clean dry run."""
    try:
        services.import_job_confirm(job_id=pk)
    except services.NotFoundError:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Importación confirmada: se aplica todo o nada."))
    return redirect("inventory_dashboard:import_job", pk=pk)
