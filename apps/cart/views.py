"""The cart page and its forms. Every form works without JavaScript (POST, then redirect)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError

from . import selectors, services
from .session import current_cart_id


def _back(request, default="cart:detail"):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _variant_id(request, variant_id=None) -> int | None:
    try:
        return int(variant_id if variant_id is not None else request.POST.get("variant_id", ""))
    except (TypeError, ValueError):
        return None


def cart_detail(request):
    cart_id = current_cart_id(request)
    customer_id = request.user.pk if request.user.is_authenticated else None
    cart = selectors.cart_price(cart_id=cart_id, customer_id=customer_id)
    try:
        checkout_url = reverse("sales:checkout")
    except NoReverseMatch:
        checkout_url = ""
    return render(request, "cart/cart.html", {"cart": cart, "checkout_url": checkout_url})


@require_POST
def line_add(request):
    variant_id = _variant_id(request)
    if variant_id is None:
        messages.error(request, _("Elija un producto."))
        return _back(request)
    cart_id = current_cart_id(request, create=True)
    try:
        change = services.cart_line_add(
            cart_id=cart_id, variant_id=variant_id, quantity=request.POST.get("quantity", 1)
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back(request)
    if change.message:
        messages.warning(request, change.message)
    else:
        messages.success(request, _("Añadido al carrito."))
    return _back(request)


def _line_action(request, action, success_message=""):
    cart_id = current_cart_id(request)
    if cart_id is None:
        messages.error(request, _("Su carrito está vacío."))
        return redirect("cart:detail")
    try:
        result = action(cart_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        message = getattr(result, "message", "") or success_message
        if message:
            messages.info(request, message)
    return redirect("cart:detail")


@require_POST
def line_update(request, variant_id):
    return _line_action(
        request,
        lambda cart_id: services.cart_line_set(
            cart_id=cart_id, variant_id=variant_id, quantity=request.POST.get("quantity", "")
        ),
        _("Cantidad actualizada."),
    )


@require_POST
def line_remove(request, variant_id):
    return _line_action(
        request,
        lambda cart_id: services.cart_line_remove(cart_id=cart_id, variant_id=variant_id),
        _("Producto eliminado del carrito."),
    )


@require_POST
def line_save(request, variant_id):
    return _line_action(
        request,
        lambda cart_id: services.cart_line_save_for_later(
            cart_id=cart_id, variant_id=variant_id, saved=True
        ),
        _("Guardado para más tarde."),
    )


@require_POST
def line_restore(request, variant_id):
    return _line_action(
        request,
        lambda cart_id: services.cart_line_save_for_later(
            cart_id=cart_id, variant_id=variant_id, saved=False
        ),
        _("De vuelta en el carrito."),
    )


@require_POST
def coupon_apply(request):
    customer_id = request.user.pk if request.user.is_authenticated else None
    return _line_action(
        request,
        lambda cart_id: services.cart_coupon_apply(
            cart_id=cart_id, code=request.POST.get("code", ""), customer_id=customer_id
        ),
        _("Cupón aplicado."),
    )


@require_POST
def coupon_remove(request):
    return _line_action(
        request,
        lambda cart_id: services.cart_coupon_remove(cart_id=cart_id),
        _("Cupón quitado."),
    )


@require_POST
def confirm_changes(request):
    return _line_action(
        request,
        lambda cart_id: services.cart_confirm_changes(cart_id=cart_id),
        _("Carrito actualizado con los precios y existencias de ahora."),
    )
