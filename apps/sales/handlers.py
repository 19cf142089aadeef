"""Sales' own subscribers: the customer hears about the order by e-mail, once per event
(each e-mail is recorded under the event's id before it is sent)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from apps.accounts import services as accounts_services
from apps.accounts.events import UserErased
from apps.core.events import Event, subscribe
from apps.core.services import mail_queue

from . import selectors, services
from .events import OrderPlaced, OrderRefunded, OrderStatusChanged


def _mail(event: Event, order_number: str, template: str, subject: str, **context) -> None:
    order = selectors.order_for_email(number=order_number)
    if order is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            template, {"order": order, "SHOP_NAME": settings.SHOP_NAME, **context}
        )
        mail_queue(
            key=f"{event.event_id}:{template}",
            to=[order.email],
            subject=f"{settings.SHOP_NAME}: {subject} {order.number}",
            body=body,
        )


@subscribe(OrderPlaced)
def email_order_placed(event: OrderPlaced) -> None:
    _mail(
        event,
        event.number,
        "sales/email/order_placed.txt",
        "pedido recibido",
        IBAN=settings.SHOP_TRANSFER_IBAN,
    )


@subscribe(OrderPlaced)
def activity_checkout(event: OrderPlaced) -> None:
    """The customer's activity log hears of the order here, not from the checkout itself."""
    accounts_services.activity_record(
        kind="checkout",
        user_id=event.customer_id,
        ip=event.ip,
        user_agent=event.user_agent,
        reference=event.number,
    )


@subscribe(OrderStatusChanged)
def email_status_changed(event: OrderStatusChanged) -> None:
    if not event.from_status:
        return
    _mail(
        event,
        event.number,
        "sales/email/status_changed.txt",
        "su pedido ha cambiado",
        to_status=event.to_status,
        note=event.note,
    )


@subscribe(OrderRefunded)
def email_refunded(event: OrderRefunded) -> None:
    _mail(event, event.number, "sales/email/refunded.txt", "reembolso", amount=event.amount)


@subscribe(UserErased)
def anonymise_orders(event: UserErased) -> None:
    services.orders_anonymise(customer_id=event.user_id)
