"""The manager's order pages (/dashboard/pedidos/). Every view is manager-only.

Thin: forms parse, ``services`` change an order (transitions, refunds), ``selectors`` read.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core import spreadsheets
from apps.core.errors import ApplicationError, NotFoundError
from apps.core.money import money_format
from apps.core.paging import page_number, querystring_without_page
from apps.core.permissions import manager_required

from .. import forms, selectors, services
from ..models import Order
from .common import order_history, status_label

PER_PAGE = 25


def _order_or_404(number: str) -> Order:
    order = selectors.order_get(number=number)
    if order is None:
        raise Http404
    return order


@manager_required
def order_list(request):
    filter_form = forms.OrderFilterForm(request.GET or None)
    filters, email = filter_form.filters()
    page = selectors.order_dashboard_page(
        filters=filters, email=email, page=page_number(request), per_page=PER_PAGE
    )
    querystring = querystring_without_page(request)
    return render(
        request,
        "sales/dashboard/order_list.html",
        {"filter_form": filter_form, "page": page, "querystring": querystring},
    )


@manager_required
def order_export(request, fmt: str = "csv"):
    """The filtered order list as CSV, CSV for a Spanish Excel, or XLSX."""
    if fmt not in spreadsheets.EXPORT_FORMATS:
        raise Http404
    filters, email = forms.OrderFilterForm(request.GET or None).filters()
    orders = selectors.order_dashboard_search(filters=filters, email=email).iterator()
    return spreadsheets.export_response(
        headers=[
            _("Número"),
            _("Fecha"),
            _("Cliente"),
            _("Estado"),
            _("Forma de pago"),
            _("Envío"),
            _("Cupón"),
            _("Subtotal"),
            _("Descuento"),
            _("Gastos de envío"),
            _("IVA incluido"),
            _("Total"),
            _("Reembolsado"),
        ],
        rows=(
            [
                order.number,
                order.created_at,
                order.email,
                order.get_status_display(),
                order.get_payment_method_display(),
                order.get_shipping_method_display(),
                order.coupon_code,
                order.subtotal,
                order.discount,
                order.shipping,
                order.tax,
                order.total,
                order.refunded,
            ]
            for order in orders
        ),
        fmt=fmt,
        stem=f"pedidos-{timezone.localtime():%Y%m%d-%H%M%S}",
    )


@manager_required
def order_detail(request, number: str):
    order = _order_or_404(number)
    transitions = [
        (status, status_label(status))
        for status in services.allowed_transitions(
            status=order.status, payment_method=order.payment_method, paid=bool(order.paid_at)
        )
    ]
    refundable = selectors.order_refundable(order)
    return render(
        request,
        "sales/dashboard/order_detail.html",
        {
            "order": order,
            "history": order_history(order),
            "transitions": transitions,
            "refund_form": forms.RefundForm(lines=order.lines.all()) if refundable else None,
            "refundable_amount": refundable,
        },
    )


@manager_required
@require_POST
def order_transition(request, number: str):
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Elija un estado válido."))
        return redirect("sales_dashboard:detail", number=number)
    try:
        new_status = services.order_transition(
            order_number=number,
            to_status=form.cleaned_data["to_status"],
            by_user_id=request.user.pk,
            note=form.cleaned_data["note"],
        )
    except NotFoundError:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Pedido %(number)s: %(status)s.")
            % {"number": number, "status": status_label(new_status)},
        )
    return redirect("sales_dashboard:detail", number=number)


@manager_required
@require_POST
def order_refund(request, number: str):
    order = _order_or_404(number)
    form = forms.RefundForm(request.POST, lines=order.lines.all())
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("sales_dashboard:detail", number=number)
    try:
        amount = services.order_refund(
            order_number=number,
            amount=form.cleaned_data["amount"],
            restock=form.restock(),
            by_user_id=request.user.pk,
            note=form.cleaned_data["note"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        _refund_message(request, number=number, amount=amount)
    return redirect("sales_dashboard:detail", number=number)


def _refund_message(request, *, number: str, amount) -> None:
    """Say what happened to the payout, which runs right after the refund is recorded."""
    status = selectors.refund_latest_status(number=number)
    if status == "succeeded":
        messages.success(
            request,
            _("Reembolsados %(amount)s del pedido %(number)s.")
            % {"amount": money_format(amount), "number": number},
        )
    elif status == "failed":
        messages.error(
            request,
            _("La pasarela no ha devuelto %(amount)s del pedido %(number)s; puede reintentarlo.")
            % {"amount": money_format(amount), "number": number},
        )
    else:
        messages.info(
            request,
            _("Reembolso de %(amount)s del pedido %(number)s en curso.")
            % {"amount": money_format(amount), "number": number},
        )


@manager_required
@require_POST
def refund_retry(request, number: str, refund_id: int):
    order = _order_or_404(number)
    if not order.refunds.filter(pk=refund_id).exists():
        raise Http404
    if services.refund_retry(refund_id=refund_id):
        messages.success(request, _("Reembolso completado."))
    else:
        messages.error(request, _("La pasarela sigue sin poder devolver el dinero."))
    return redirect("sales_dashboard:detail", number=number)
