"""The manager's coupon pages (/dashboard/cupones/). Every view is manager-only and thin."""

import dataclasses

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core import spreadsheets
from apps.core.forms import apply_service_error
from apps.core.money import money_style
from apps.core.paging import page_number, querystring_without_page
from apps.core.permissions import manager_required
from apps.inventory import selectors as inventory_selectors

from . import forms, selectors, services

PER_PAGE = 50


def _coupon_or_404(pk: int):
    coupon = selectors.coupon_get(coupon_id=pk)
    if coupon is None:
        raise Http404
    return coupon


@manager_required
def coupon_list(request):
    filter_form = forms.CouponFilterForm(request.GET or None)
    coupons = selectors.coupon_list(filters=filter_form.to_filters())
    page = Paginator(coupons, PER_PAGE).get_page(page_number(request))
    return render(
        request,
        "coupons/dashboard/coupon_list.html",
        {
            "filter_form": filter_form,
            "page": page,
            "querystring": querystring_without_page(request),
        },
    )


def _searching_products(request) -> bool:
    """The picker's "Buscar" button: show the results, save nothing."""
    return request.method == "POST" and forms.PRODUCT_SEARCH in request.POST


@manager_required
@require_GET
def coupon_product_search(request):
    """The product picker's search, for its script: a few products by name, brand, SKU or id."""
    found = inventory_selectors.product_choices(q=request.GET.get("q", ""))
    return JsonResponse({"results": [{"id": p.id, "label": forms.product_label(p)} for p in found]})


@manager_required
@require_http_methods(["GET", "POST"])
def coupon_create(request):
    if _searching_products(request):
        form = forms.CouponForm.redisplay(request.POST)
        return render(request, "coupons/dashboard/coupon_form.html", {"form": form, "coupon": None})
    form = forms.CouponForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            coupon_id = services.coupon_create(**form.service_fields())
        except services.CouponValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Cupón creado."))
            return redirect("coupons_dashboard:edit", pk=coupon_id)
    return render(request, "coupons/dashboard/coupon_form.html", {"form": form, "coupon": None})


@manager_required
@require_http_methods(["GET", "POST"])
def coupon_edit(request, pk: int):
    coupon = _coupon_or_404(pk)
    if _searching_products(request):
        form = forms.CouponForm.redisplay(request.POST)
        return render(
            request, "coupons/dashboard/coupon_form.html", {"form": form, "coupon": coupon}
        )
    form = forms.CouponForm(request.POST or None, initial=forms.CouponForm.initial_from(coupon))
    if request.method == "POST" and form.is_valid():
        try:
            services.coupon_update(coupon_id=coupon.pk, **form.service_fields())
        except services.CouponValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Cupón guardado."))
            return redirect("coupons_dashboard:edit", pk=coupon.pk)
    return render(request, "coupons/dashboard/coupon_form.html", {"form": form, "coupon": coupon})


@manager_required
@require_POST
def coupon_deactivate(request, pk: int):
    coupon = _coupon_or_404(pk)
    if services.coupon_deactivate(coupon_id=coupon.pk):
        messages.success(request, _("Cupón «%(code)s» desactivado.") % {"code": coupon.code})
    return redirect("coupons_dashboard:list")


@manager_required
@require_http_methods(["GET", "POST"])
def coupon_bulk_generate(request):
    if _searching_products(request):
        form = forms.CouponBulkForm.redisplay(request.POST)
        return render(request, "coupons/dashboard/coupon_bulk.html", {"form": form})
    form = forms.CouponBulkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.coupon_bulk_generate(**form.service_fields())
        except services.CouponValidationError as error:
            apply_service_error(form, error)
        else:
            return spreadsheets.export_response(
                headers=["code"],
                rows=([code] for code in codes),
                fmt=form.cleaned_data.get("download_format") or "csv",
                stem=f"cupones-{form.cleaned_data['prefix'].upper()}-{timezone.now():%Y%m%d-%H%M%S}",
            )
    return render(request, "coupons/dashboard/coupon_bulk.html", {"form": form})


@manager_required
def coupon_report(request):
    rows = selectors.coupon_usage_report()
    chart = {
        "labels": [row.code for row in rows[:20]],
        "discount": [str(row.discount_total) for row in rows[:20]],
        "revenue": [str(row.revenue) for row in rows[:20]],
        "discountLabel": _("Descuento concedido (€)"),
        "revenueLabel": _("Ingresos de los pedidos (€)"),
        "money": dataclasses.asdict(money_style()),
    }
    return render(request, "coupons/dashboard/coupon_report.html", {"rows": rows, "chart": chart})
