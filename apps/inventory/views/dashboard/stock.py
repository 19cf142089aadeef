"""The manager's stock pages: receive and adjust, the ledger, low stock, the valuation."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.core.forms import apply_service_error
from apps.core.paging import page_number, querystring_without_page
from apps.core.permissions import manager_required

from ... import forms, selectors, services
from .products import product_or_404


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
    return _movements(request, product=product_or_404(pk))


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
