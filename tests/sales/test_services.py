from decimal import Decimal

import pytest
from django.core import mail

from apps.cart import selectors as cart_selectors
from apps.core.errors import ApplicationError, NotFoundError
from apps.core.models import OutboxMessage
from apps.coupons import services as coupons_services
from apps.inventory import selectors as inventory_selectors
from apps.sales import selectors as sales_selectors
from apps.sales import services as sales_services
from apps.sales.models import LedgerEntry, Order, Payment
from apps.sales.services import checkout as checkout_impl
from tests.sales.factories import (
    APPROVED,
    DECLINED,
    NO_FUNDS,
    TIMEOUT,
    make_shopper,
    make_variant,
)

pytestmark = pytest.mark.django_db


def stock(variant_id):
    return inventory_selectors.variant_stock(variant_id=variant_id)


def test_transfer_order_takes_stock_snapshots_lines_and_waits_for_the_money(
    django_capture_on_commit_callbacks,
):
    shopper = make_shopper()
    variant = make_variant(price="40.00", stock=5)
    shopper.add(variant, 2)
    with django_capture_on_commit_callbacks(execute=True):
        placed = shopper.place(payment_method="transfer")

    order = Order.objects.get(pk=placed.order_id)
    assert order.number == f"EP-{order.created_at.year}-{order.pk:06d}"
    assert (order.status, order.subtotal, order.shipping, order.total) == (
        "pending_payment",
        Decimal("80.00"),
        Decimal("0.00"),
        Decimal("80.00"),
    )
    line = order.lines.get()
    assert (line.sku, line.unit_price, line.quantity) == (line.sku, Decimal("40.00"), 2)
    assert stock(variant) == 3
    assert not LedgerEntry.objects.exists(), "no money moved yet"
    assert cart_selectors.cart_price(cart_id=shopper.cart_id).lines == ()
    assert OutboxMessage.objects.filter(event_type="sales.OrderPlaced").count() == 1
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    assert "ES91" in mail.outbox[0].body


def test_card_approved_is_paid_in_the_ledger_and_keeps_no_card_number():
    shopper = make_shopper()
    shopper.add(make_variant(price="100.00"), 1)
    placed = shopper.place(payment_method="card", card=APPROVED)
    order = Order.objects.get(pk=placed.order_id)
    assert order.status == "paid" and order.paid_at
    payment = order.payments.get()
    assert (payment.status, payment.card_brand, payment.card_last4) == ("captured", "visa", "4242")
    assert "4242424242424242" not in payment.card_token
    assert LedgerEntry.objects.get().amount == Decimal("100.00")
    assert cart_selectors.cart_price(cart_id=shopper.cart_id).lines == ()


@pytest.mark.parametrize(
    ("card", "code"),
    [
        (DECLINED, "payment_declined"),
        (NO_FUNDS, "payment_insufficient_funds"),
        (TIMEOUT, "payment_timeout"),
    ],
)
def test_failed_payment_runs_the_compensation_and_keeps_the_cart(
    card, code, django_capture_on_commit_callbacks
):
    shopper = make_shopper()
    variant = make_variant(price="30.00", stock=4)
    coupon_id = coupons_services.coupon_create(
        code="VERANO10", kind="percentage", value="10", max_uses=1
    )
    shopper.add(variant, 2)
    from apps.cart import services as cart_services

    cart_services.cart_coupon_apply(
        cart_id=shopper.cart_id, code="verano10", customer_id=shopper.customer_id
    )
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(sales_services.PaymentError) as error,
    ):
        shopper.place(payment_method="card", card=card)
    assert error.value.code == code
    assert error.value.message

    # The attempt is kept for managers as a failed payment, not as a cancelled order:
    order = Order.objects.get()
    assert order.status == "payment_failed"
    assert order.payments.get().status in ("declined", "failed")
    # ...and the customer never sees it, nor hears of it.
    assert (
        sales_selectors.order_list_for_customer(customer_id=shopper.customer_id).paginator.count
        == 0
    )
    assert (
        sales_selectors.order_get_for_customer(number=order.number, customer_id=shopper.customer_id)
        is None
    )
    assert mail.outbox == []
    assert not sales_selectors.customer_has_orders(customer_id=shopper.customer_id)
    assert stock(variant) == 4
    from apps.coupons.models import Coupon

    assert Coupon.objects.get(pk=coupon_id).uses == 0
    priced = cart_selectors.cart_price(cart_id=shopper.cart_id)
    assert priced.lines[0].quantity == 2 and priced.coupon_code == "VERANO10"
    assert not LedgerEntry.objects.exists()


def test_invalid_card_is_refused_before_anything_is_written():
    shopper = make_shopper()
    shopper.add(make_variant(), 1)
    bad = sales_services.CardInput(
        number="1234 5678 9012 3456", exp_month=1, exp_year=2030, cvc="1"
    )
    with pytest.raises(sales_services.CheckoutError) as error:
        shopper.place(payment_method="card", card=bad)
    assert error.value.code == "card_invalid"
    assert repr(bad) == "CardInput(<hidden>)"
    assert not Order.objects.exists()


def test_a_changed_cart_is_refused_until_the_customer_confirms():
    from apps.inventory import services as inventory_services

    shopper = make_shopper()
    variant = make_variant(price="10.00", stock=3)
    shopper.add(variant, 3)
    inventory_services.stock_adjust(variant_id=variant, delta=-2, reason="Rotura", user_id=None)
    with pytest.raises(sales_services.CartChangedError):
        shopper.place()
    assert not Order.objects.exists() and stock(variant) == 1


def test_a_used_up_coupon_rolls_everything_back():
    first, second = make_shopper(), make_shopper()
    variant = make_variant(price="50.00", stock=10)
    coupons_services.coupon_create(code="UNO", kind="fixed", value="5", max_uses=1)
    from apps.cart import services as cart_services

    for shopper in (first, second):
        shopper.add(variant, 1)
        cart_services.cart_coupon_apply(
            cart_id=shopper.cart_id, code="UNO", customer_id=shopper.customer_id
        )
    first.place()
    with pytest.raises(ApplicationError) as error:
        second.place()
    assert (error.value.code, error.value.status) == ("coupon_exhausted", 409)
    assert Order.objects.count() == 1 and stock(variant) == 9


def test_missing_address_fields_are_named():
    shopper = make_shopper()
    shopper.add(make_variant(), 1)
    with pytest.raises(sales_services.CheckoutError) as error:
        sales_services.order_place(
            cart_id=shopper.cart_id,
            customer_id=shopper.customer_id,
            email=shopper.email,
            shipping_address=sales_services.ShippingAddress(
                full_name="", line1="", postal_code="", city="X"
            ),
            payment_method="transfer",
        )
    assert set(error.value.details) == {"full_name", "line1", "postal_code"}


def test_transfer_marked_paid_then_shipped_and_delivered(django_capture_on_commit_callbacks):
    shopper = make_shopper()
    shopper.add(make_variant(price="60.00"), 1)
    number = shopper.place().number
    with django_capture_on_commit_callbacks(execute=True):
        for status in ("paid", "preparing", "shipped", "delivered"):
            sales_services.order_transition(
                order_number=number, to_status=status, by_user_id=None, note=""
            )
    order = Order.objects.get(number=number)
    assert order.status == "delivered"
    assert [e.to_status for e in order.history.all()] == [
        "pending_payment",
        "paid",
        "preparing",
        "shipped",
        "delivered",
    ]
    assert LedgerEntry.objects.get().amount == Decimal("60.00")
    assert len(mail.outbox) == 4  # one per status change


def test_cash_on_delivery_is_collected_on_delivery():
    shopper = make_shopper()
    shopper.add(make_variant(price="20.00"), 1)
    number = shopper.place(payment_method="cod").number
    with pytest.raises(sales_services.IllegalTransitionError):
        sales_services.order_transition(order_number=number, to_status="paid", by_user_id=None)
    for status in ("preparing", "shipped"):
        sales_services.order_transition(order_number=number, to_status=status, by_user_id=None)
    assert not LedgerEntry.objects.exists()
    sales_services.order_transition(order_number=number, to_status="delivered", by_user_id=None)
    assert LedgerEntry.objects.get().amount == Decimal("24.99")


def test_illegal_transitions_are_refused_with_the_allowed_ones():
    shopper = make_shopper()
    shopper.add(make_variant(), 1)
    number = shopper.place(payment_method="card", card=APPROVED).number
    sales_services.order_transition(order_number=number, to_status="preparing", by_user_id=None)
    sales_services.order_transition(order_number=number, to_status="shipped", by_user_id=None)
    with pytest.raises(sales_services.IllegalTransitionError) as error:
        sales_services.order_transition(order_number=number, to_status="cancelled", by_user_id=None)
    assert error.value.details["allowed"] == ["delivered"]


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the refund is paid out after the commit
def test_customer_cancels_their_own_order_once():
    shopper, other = make_shopper(), make_shopper()
    variant = make_variant(price="15.00", stock=5)
    shopper.add(variant, 2)
    number = shopper.place(payment_method="card", card=APPROVED).number
    with pytest.raises(NotFoundError):
        sales_services.order_cancel(order_number=number, customer_id=other.customer_id)
    sales_services.order_cancel(order_number=number, customer_id=shopper.customer_id)
    with pytest.raises(sales_services.IllegalTransitionError):
        sales_services.order_cancel(order_number=number, customer_id=shopper.customer_id)
    order = Order.objects.get(number=number)
    assert order.status == "cancelled" and order.refunded == order.total
    assert stock(variant) == 5
    assert sorted(LedgerEntry.objects.values_list("amount", flat=True)) == [
        Decimal("-34.99"),
        Decimal("34.99"),
    ]


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the refund is paid out after the commit
def test_partial_refund_with_restock_then_the_rest():
    shopper = make_shopper()
    variant = make_variant(price="25.00", stock=5)
    shopper.add(variant, 4)
    number = shopper.place(payment_method="card", card=APPROVED).number
    line_id = Order.objects.get(number=number).lines.get().pk
    refunded = sales_services.order_refund(
        order_number=number,
        amount="25.00",
        restock=[sales_services.RefundLine(line_id=line_id, quantity=1)],
        by_user_id=None,
        note="Devuelto por el cliente",
    )
    assert refunded == Decimal("25.00")
    order = Order.objects.get(number=number)
    assert order.status == "paid" and order.refunded == Decimal("25.00")
    assert stock(variant) == 2
    with pytest.raises(sales_services.CheckoutError):
        sales_services.order_refund(order_number=number, amount="1000", by_user_id=None)
    sales_services.order_refund(order_number=number, by_user_id=None)
    order.refresh_from_db()
    assert order.status == "refunded" and order.refunded == order.total
    assert order.payments.get().status == Payment.Status.REFUNDED


def test_unpaid_card_orders_expire_and_give_their_stock_back():
    from datetime import timedelta

    from django.utils import timezone

    shopper = make_shopper()
    variant = make_variant(stock=2)
    shopper.add(variant, 2)
    # A worker died between placing the order and charging the card:
    placed = checkout_impl._order_create(
        cart_id=shopper.cart_id,
        customer_id=shopper.customer_id,
        email=shopper.email,
        address=checkout_impl._clean_address(
            sales_services.ShippingAddress(full_name="A", line1="B", postal_code="1", city="C")
        ),
        shipping_method="standard",
        payment_method="card",
        card=None,
    )
    Order.objects.filter(pk=placed.order_id).update(created_at=timezone.now() - timedelta(hours=1))
    assert stock(variant) == 0
    assert sales_services.order_expire_unpaid() == 1
    assert stock(variant) == 2
    assert Order.objects.get(pk=placed.order_id).status == "cancelled"


def test_idempotency_claims():
    claim = sales_services.idempotency_claim(scope="user:1", key="k1", request_hash="h1")
    assert claim.replay is False
    with pytest.raises(sales_services.IdempotencyConflictError):
        sales_services.idempotency_claim(scope="user:1", key="k1", request_hash="h1")
    with pytest.raises(sales_services.IdempotencyMismatchError):
        sales_services.idempotency_claim(scope="user:1", key="k1", request_hash="other")
    sales_services.idempotency_complete(
        scope="user:1", key="k1", status=201, body={"number": "EP-1"}
    )
    replay = sales_services.idempotency_claim(scope="user:1", key="k1", request_hash="h1")
    assert (replay.replay, replay.status, replay.body) == (True, 201, {"number": "EP-1"})
    # Another caller's identical key is a different key.
    assert (
        sales_services.idempotency_claim(scope="user:2", key="k1", request_hash="h1").replay
        is False
    )


def test_an_erased_customer_s_orders_keep_the_money_but_lose_the_person(
    django_capture_on_commit_callbacks,
):
    from apps.accounts import services as accounts_services

    shopper = make_shopper()
    shopper.add(make_variant(price="45.00"), 1)
    number = shopper.place(payment_method="card", card=APPROVED).number
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.user_erase(user_id=shopper.customer_id)
    order = Order.objects.get(number=number)
    assert order.ship_name == "Cliente borrado" and "Calle" not in order.ship_line1
    assert shopper.email not in order.email and order.ship_phone == ""
    assert order.total == Decimal("49.99") and order.lines.count() == 1  # 45.00 + shipping
    assert LedgerEntry.objects.get().amount == Decimal("49.99")


def test_the_refund_e_mail_writes_the_amount_in_spanish(
    mailoutbox, django_capture_on_commit_callbacks
):
    from apps.sales.events import OrderRefunded
    from apps.sales.handlers import email_refunded

    shopper = make_shopper()
    shopper.add(make_variant(price="1300.00", stock=2), 1)
    order = shopper.place()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # sent once the handler commits
        email_refunded(
            OrderRefunded(
                order_id=order.order_id,
                number=order.number,
                customer_id=shopper.customer_id,
                amount="1268.68",
                restocked=False,
            )
        )
    assert "Le hemos reembolsado 1.268,68\u00a0€ del pedido" in mailoutbox[0].body


def test_the_activity_log_hears_of_a_placed_order_through_the_event(
    django_capture_on_commit_callbacks,
):
    from apps.accounts import selectors as accounts_selectors

    shopper = make_shopper()
    shopper.add(make_variant(price="20.00"), 1)
    with django_capture_on_commit_callbacks(execute=True):
        placed = shopper.place(payment_method="card", card=APPROVED, ip="203.0.113.5")
    declined = make_shopper()
    declined.add(make_variant(price="20.00"), 1)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(sales_services.PaymentError),
    ):
        declined.place(payment_method="card", card=DECLINED, ip="203.0.113.6")

    checkouts = [a for a in accounts_selectors.activity_list() if a.kind == "checkout"]
    assert [(a.user_id, a.reference, a.ip) for a in checkouts] == [
        (shopper.customer_id, placed.number, "203.0.113.5")
    ]


@pytest.fixture
def process_clock_in_utc():
    """A server process whose own zone is not the shop's (Django sets TZ only where it can)."""
    import os
    import time

    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_card_expiry_is_judged_on_the_shop_s_own_date(process_clock_in_utc):
    """At 23:30 UTC on 31 December it is already January in Madrid: a card that ran out in
    December is refused by the shop's date, whatever the server's clock zone says."""
    import time_machine

    from apps.sales import payments

    with time_machine.travel("2026-12-31 23:30:00+00:00", tick=False):
        with pytest.raises(payments.CardInvalid):
            payments.provider().tokenize(
                number="4242424242424242", exp_month=12, exp_year=2026, cvc="123"
            )
        assert (
            payments.provider()
            .tokenize(number="4242424242424242", exp_month=1, exp_year=2027, cvc="123")
            .last4
            == "4242"
        )
