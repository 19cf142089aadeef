"""The customer's pages: checkout, confirmation, order history, order detail, cancel, receipt.

Thin: the form parses, ``services`` place and cancel, ``selectors`` read. A customer only
ever finds their own orders: anyone else's order number is a 404 on every route.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import selectors as accounts_selectors
from apps.cart import selectors as cart_selectors
from apps.core.errors import ApplicationError, NotFoundError
from apps.core.http import client_ip, client_user_agent
from apps.core.paging import page_number

from .. import forms, selectors, services
from ..models import Order
from .common import order_history

HISTORY_PER_PAGE = 10


def _client(request) -> dict:
    return {"ip": client_ip(request), "user_agent": client_user_agent(request)}


def _own_order(request, number: str) -> Order:
    order = selectors.order_get_for_customer(number=number, customer_id=request.user.pk)
    if order is None:
        raise Http404
    return order


# --- Checkout ----------------------------------------------------------------------------


def _shipping_method(value) -> str:
    return value if value in Order.ShippingMethod.values else Order.ShippingMethod.STANDARD


def _priced_cart(customer_id: int, shipping_method: str):
    """The cart as the checkout will price it (first-order coupons see the order history)."""
    return cart_selectors.cart_price(
        cart_id=cart_selectors.cart_find(user_id=customer_id),
        customer_id=customer_id,
        has_previous_orders=selectors.customer_has_orders(customer_id=customer_id),
        shipping_method=shipping_method,
    )


def _cart_refusal(request, cart, message: str = ""):
    """Back to the cart page when there is nothing to pay for or something to review there."""
    if not cart.lines:
        messages.info(request, message or _("Su carrito está vacío."))
    elif cart.has_issues:
        messages.warning(
            request,
            message or _("Algunos productos de su carrito han cambiado: revíselos antes de pagar."),
        )
    elif cart.coupon_code and cart.coupon_error:
        messages.warning(request, message or cart.coupon_error)
    else:
        return None
    return redirect("cart:detail")


def _render_checkout(request, form, cart, *, error: str = ""):
    return render(
        request,
        "sales/checkout.html",
        {
            "form": form,
            "cart": cart,
            "error": error,
            "address_fields": [form[name] for name in forms.CheckoutForm.NEW_ADDRESS_FIELDS],
            "address_rest": [form[name] for name in ("country", "phone")],
        },
    )


def _fresh_form(request, addresses, cart, *, kept: dict | None = None):
    """A form to fill (again): a new idempotency token, the card fields always empty."""
    default = next((a.id for a in addresses if a.is_default), None)
    initial = {
        "address": str(default) if default else forms.NEW_ADDRESS,
        "shipping_method": cart.shipping_method,
    }
    initial |= kept or {}
    initial |= {"token": uuid.uuid4().hex, "cart_signature": cart.signature}
    return forms.CheckoutForm(addresses=addresses, initial=initial)


@login_required
@sensitive_post_parameters(*forms.CARD_FIELDS)
@require_http_methods(["GET", "POST"])
def checkout(request):
    customer_id = request.user.pk
    addresses = accounts_selectors.address_list(user_id=customer_id)
    source = request.POST if request.method == "POST" else request.GET
    shipping_method = _shipping_method(source.get("shipping_method"))

    if request.method == "POST" and request.POST.get("action") != "update":
        form = forms.CheckoutForm(request.POST, addresses=addresses)
        scope = f"user:{customer_id}"
        if form.is_valid() and selectors.idempotency_key_used(
            scope=scope, key=form.cleaned_data["token"]
        ):
            # Pressed twice: the first answer again (or "still running"); nothing new is made.
            return _place(request, form, addresses, scope)
        cart = _priced_cart(customer_id, shipping_method)
        if refusal := _cart_refusal(request, cart):
            return refusal
        if not form.is_valid():
            return _render_checkout(request, form, cart)
        return _place(request, form, addresses, scope)

    cart = _priced_cart(customer_id, shipping_method)
    if refusal := _cart_refusal(request, cart):
        return refusal
    kept = forms.CheckoutForm.kept_from(request.POST) if request.method == "POST" else None
    return _render_checkout(request, _fresh_form(request, addresses, cart, kept=kept), cart)


def _place(request, form, addresses, scope: str):
    customer_id = request.user.pk
    data = form.cleaned_data
    outcome = services.order_place_once(
        scope=scope,
        key=data["token"],
        request=form.fingerprint(),
        cart_id=cart_selectors.cart_find(user_id=customer_id),
        customer_id=customer_id,
        email=request.user.email,
        shipping_address=form.shipping_address(),
        payment_method=data["payment_method"],
        shipping_method=data["shipping_method"],
        card=form.card(),
        expected_signature=data["cart_signature"],
        save_address=form.new_address() and data["save_address"],
        **_client(request),
    )
    if outcome.status == 201:
        return redirect("sales:confirmation", number=outcome.number)
    if outcome.error_code == services.IdempotencyConflictError.code:
        messages.info(
            request, _("Su pedido se está procesando. Aparecerá en esta lista en unos segundos.")
        )
        return redirect("sales:order_list")
    message = outcome.error_message or _("No se pudo completar el pedido.")
    cart = _priced_cart(customer_id, data["shipping_method"])
    if refusal := _cart_refusal(request, cart, message):
        return refusal
    return _render_checkout(
        request,
        _fresh_form(request, addresses, cart, kept=forms.CheckoutForm.kept_from(request.POST)),
        cart,
        error=message,
    )


# --- After the purchase --------------------------------------------------------------------


@login_required
def confirmation(request, number: str):
    order = _own_order(request, number)
    return render(
        request,
        "sales/confirmation.html",
        {"order": order, "iban": settings.SHOP_TRANSFER_IBAN},
    )


@login_required
def order_list(request):
    page = selectors.order_list_for_customer(
        customer_id=request.user.pk, page=page_number(request), per_page=HISTORY_PER_PAGE
    )
    return render(request, "sales/order_list.html", {"page": page})


@login_required
def order_detail(request, number: str):
    order = _own_order(request, number)
    return render(
        request,
        "sales/order_detail.html",
        {
            "order": order,
            "history": order_history(order),
            "can_cancel": order.status in services.CUSTOMER_CANCELLABLE,
            "iban": settings.SHOP_TRANSFER_IBAN,
        },
    )


@login_required
@require_POST
def order_cancel(request, number: str):
    try:
        services.order_cancel(order_number=number, customer_id=request.user.pk, **_client(request))
    except NotFoundError:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Pedido %(number)s cancelado. Si ya estaba pagado, le devolveremos el importe.")
            % {"number": number},
        )
    return redirect("sales:order_detail", number=number)


@login_required
def order_receipt(request, number: str):
    order = _own_order(request, number)
    return render(
        request,
        "sales/receipt.html",
        {"order": order, "iban": settings.SHOP_TRANSFER_IBAN},
    )
