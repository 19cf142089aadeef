"""Exactly-once checkout under crashes: a key places at most one order, forever; a retry
resumes the order it placed; the gateway charges a payment attempt at most once; an
unpaid card order is settled with the gateway before it is cancelled."""

import json
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from apps.cart import selectors as cart_selectors
from apps.sales import payments
from apps.sales import services as sales_services
from apps.sales.models import IdempotencyKey, LedgerEntry, Order, Payment, Refund, SandboxOperation
from apps.sales.services import checkout as checkout_impl
from apps.sales.services.idempotency import IdempotencyRef
from tests.race import race
from tests.sales.factories import ADDRESS, APPROVED, make_shopper, make_variant, user

pytestmark = pytest.mark.django_db

CARD_BODY = {
    "shipping_address": {
        "full_name": "Ana Martín",
        "line1": "Calle Mayor 1",
        "postal_code": "28013",
        "city": "Madrid",
    },
    "payment_method": "card",
    "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
}
REQUEST = {"body": "the same request each time"}


def _charges() -> int:
    return SandboxOperation.objects.filter(kind="charge").count()


def _place_once(shopper, key="key-1", card=APPROVED):
    return sales_services.order_place_once(
        scope=f"user:{shopper.customer_id}",
        key=key,
        request=REQUEST,
        cart_id=shopper.cart_id,
        customer_id=shopper.customer_id,
        email=shopper.email,
        shipping_address=ADDRESS,
        payment_method="card",
        card=card,
    )


def _one_paid_order(number: str) -> None:
    order = Order.objects.get()
    assert order.number == number and order.status == "paid"
    assert Payment.objects.get().status == "captured"
    assert LedgerEntry.objects.filter(kind="sale").count() == 1
    assert _charges() == 1


def _killed_after_the_order(shopper, *, price="25.00", with_key=True):
    """What a process leaves when it is killed right after saving a card order: the order
    (linked to its claimed key), its payment pending, no charge recorded."""
    shopper.add(make_variant(price=price, stock=2), 1)
    scope = f"user:{shopper.customer_id}"
    if with_key:
        sales_services.idempotency_claim(
            scope=scope, key="key-1", request_hash=sales_services.request_fingerprint(REQUEST)
        )
    return checkout_impl._order_create(
        cart_id=shopper.cart_id,
        customer_id=shopper.customer_id,
        email=shopper.email,
        address=ADDRESS,
        shipping_method="standard",
        payment_method="card",
        card=payments.provider().tokenize(
            number="4242424242424242", exp_month=12, exp_year=2030, cvc="123"
        ),
        idempotency=IdempotencyRef(scope=scope, key="key-1") if with_key else None,
    )


# --- A key maps to at most one order --------------------------------------------------


def test_a_failure_after_the_order_committed_keeps_the_key_and_the_retry_resumes(monkeypatch):
    shopper = make_shopper()
    shopper.add(make_variant(price="40.00", stock=3), 1)
    real_charge = payments.SandboxProvider.charge

    def connection_dies_before_the_charge(self, **kwargs):
        raise RuntimeError("the connection died after the order was saved")

    monkeypatch.setattr(payments.SandboxProvider, "charge", connection_dies_before_the_charge)
    with pytest.raises(RuntimeError):
        _place_once(shopper)
    # The order committed before the failure, and the key knows it.
    order = Order.objects.get()
    assert IdempotencyKey.objects.get().order_id == order.pk
    assert order.status == "pending_payment" and _charges() == 0

    monkeypatch.setattr(payments.SandboxProvider, "charge", real_charge)
    retry = _place_once(shopper)

    assert (retry.status, retry.number) == (201, order.number)
    assert retry.body["status"] == "paid"
    _one_paid_order(order.number)
    assert cart_selectors.cart_price(cart_id=shopper.cart_id).lines == ()
    # And from then on the key answers the same, creating nothing.
    assert _place_once(shopper).body == retry.body
    _one_paid_order(order.number)


def test_a_key_left_in_progress_by_a_killed_process_resumes_its_order():
    shopper = make_shopper()
    # The process saved the order (and the key's link to it) and was killed before charging.
    placed = _killed_after_the_order(shopper)
    IdempotencyKey.objects.update(locked_until=timezone.now() - timedelta(seconds=1))

    retry = _place_once(shopper)

    assert (retry.status, retry.number) == (201, placed.number)
    _one_paid_order(placed.number)


def test_a_retry_never_charges_twice_when_the_gateway_had_charged_before_the_kill():
    shopper = make_shopper()
    placed = _killed_after_the_order(shopper)
    payment = Payment.objects.get()
    # The card was charged, then the process died before it could record the capture.
    first = payments.provider().charge(
        token=payment.card_token,
        amount=payment.amount,
        reference=placed.number,
        idempotency_key=payment.charge_key,
    )

    retry = _place_once(shopper)

    assert retry.number == placed.number and retry.body["status"] == "paid"
    _one_paid_order(placed.number)
    assert Payment.objects.get().provider_reference == first.reference


def test_a_key_whose_process_died_before_the_order_runs_again_once_its_lease_ran_out():
    shopper = make_shopper()
    shopper.add(make_variant(price="25.00", stock=2), 1)
    sales_services.idempotency_claim(
        scope=f"user:{shopper.customer_id}",
        key="key-1",
        request_hash=sales_services.request_fingerprint(REQUEST),
    )
    busy = _place_once(shopper)  # its lease still runs: the first may yet create the order
    assert (busy.status, busy.error_code) == (409, "idempotency_in_progress")
    IdempotencyKey.objects.update(locked_until=timezone.now() - timedelta(seconds=1))

    retry = _place_once(shopper)

    assert retry.status == 201
    _one_paid_order(retry.number)


def test_a_declined_card_is_answered_again_and_never_retried_with_the_same_key():
    from tests.sales.factories import DECLINED

    shopper = make_shopper()
    shopper.add(make_variant(price="25.00", stock=2), 1)
    first = _place_once(shopper, card=DECLINED)
    again = _place_once(shopper, card=DECLINED)
    assert first.status == again.status == 402
    assert again.body == first.body and first.body["error"]["code"] == "payment_declined"
    assert Order.objects.get().status == "payment_failed" and _charges() == 1


def test_two_runs_of_one_key_never_both_place_an_order():
    """Two runs that both passed the claim (the first's lease ran out while it was still
    working): the key → order link in the order's transaction lets only one order in."""
    shopper = make_shopper()
    shopper.add(make_variant(price="25.00", stock=5), 1)
    scope = f"user:{shopper.customer_id}"
    ref = IdempotencyRef(scope=scope, key="key-1")
    sales_services.idempotency_claim(
        scope=scope, key="key-1", request_hash=sales_services.request_fingerprint(REQUEST)
    )
    kwargs = {
        "cart_id": shopper.cart_id,
        "customer_id": shopper.customer_id,
        "email": shopper.email,
        "address": ADDRESS,
        "shipping_method": "standard",
        "payment_method": "transfer",
        "card": None,
        "idempotency": ref,
    }
    checkout_impl._order_create(**kwargs)
    shopper.add(make_variant(price="30.00", stock=5), 1)  # the cart the slow run would see
    with pytest.raises(sales_services.IdempotencyConflictError):
        checkout_impl._order_create(**kwargs)
    assert Order.objects.count() == 1


# --- The charge is idempotent -------------------------------------------------------------


def test_the_gateway_charges_one_key_once():
    gateway = payments.provider()
    token = gateway.tokenize(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
    first = gateway.charge(token=token.token, amount=10, reference="EP-1", idempotency_key="k")
    second = gateway.charge(token=token.token, amount=10, reference="EP-1", idempotency_key="k")
    assert first == second and first.approved
    assert _charges() == 1
    assert gateway.charge_status(idempotency_key="k") == first
    assert gateway.charge_status(idempotency_key="never-charged") is None
    with pytest.raises(payments.GatewayError):
        gateway.charge(token=token.token, amount=11, reference="EP-1", idempotency_key="k")


def test_a_lost_answer_is_settled_by_asking_the_gateway():
    """The gateway charged but its answer never arrived: the checkout asks by key."""
    shopper = make_shopper()
    shopper.add(make_variant(price="25.00", stock=2), 1)
    lost = sales_services.CardInput(
        number="4000000000000259", exp_month=12, exp_year=2030, cvc="123"
    )
    placed = shopper.place(payment_method="card", card=lost)
    assert placed.status == "paid"
    _one_paid_order(placed.number)


# --- No stranded charges ---------------------------------------------------------------------


def _stranded_card_order(shopper, *, charged: bool) -> str:
    """A card order whose process died between saving the order and recording the charge."""
    placed = _killed_after_the_order(shopper, price="60.00", with_key=False)
    payment = Payment.objects.get(order_id=placed.order_id)
    if charged:
        payments.provider().charge(
            token=payment.card_token,
            amount=payment.amount,
            reference=placed.number,
            idempotency_key=payment.charge_key,
        )
    Order.objects.filter(pk=placed.order_id).update(created_at=timezone.now() - timedelta(hours=1))
    return placed.number


def test_an_expired_card_order_that_was_charged_is_recorded_and_refunded(
    django_capture_on_commit_callbacks,
):
    shopper = make_shopper()
    variant = make_variant(price="60.00", stock=2)
    shopper.add(variant, 2)
    number = _stranded_card_order(shopper, charged=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert sales_services.order_expire_unpaid() == 1

    order = Order.objects.get(number=number)
    assert order.status == "cancelled" and order.refunded == order.total
    assert Payment.objects.get().status == "refunded"
    assert [e.kind for e in LedgerEntry.objects.order_by("pk")] == ["sale", "refund"]
    assert sum(e.amount for e in LedgerEntry.objects.all()) == 0
    assert Refund.objects.get().status == "succeeded"
    assert SandboxOperation.objects.filter(kind="refund").count() == 1
    from apps.inventory import selectors as inventory_selectors

    assert inventory_selectors.variant_stock(variant_id=variant) == 2


def test_an_expired_card_order_with_no_charge_is_cancelled():
    shopper = make_shopper()
    number = _stranded_card_order(shopper, charged=False)
    assert sales_services.order_expire_unpaid() == 1
    order = Order.objects.get(number=number)
    assert order.status == "cancelled" and order.refunded == 0
    assert not LedgerEntry.objects.exists()


def test_a_capture_for_an_order_that_is_no_longer_payable_is_refunded(
    settings, django_capture_on_commit_callbacks
):
    """A slow charge comes back approved after the expiry cancelled the order: the money
    is recorded and given back, never lost and never an error."""
    settings.SHOP_PAYMENT_PROVIDER = "tests.sales.gateways.SlowChargeProvider"
    payments.provider.cache_clear()
    try:
        shopper = make_shopper()
        shopper.add(make_variant(price="60.00", stock=2), 1)
        with django_capture_on_commit_callbacks(execute=True):
            placed = shopper.place(payment_method="card", card=APPROVED)
    finally:
        payments.provider.cache_clear()

    assert placed.status == "cancelled"
    order = Order.objects.get()
    assert order.refunded == order.total
    assert [e.kind for e in LedgerEntry.objects.order_by("pk")] == ["sale", "refund"]
    assert sum(e.amount for e in LedgerEntry.objects.all()) == 0
    assert Refund.objects.get().status == "succeeded"


# --- Crashes for real, on PostgreSQL ---------------------------------------------------------


@pytest.mark.race
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_connection_terminated_after_the_order_then_a_retry_with_the_same_key(monkeypatch):
    shopper = make_shopper()
    shopper.add(make_variant(price="99.00", stock=5), 1)
    real_charge = payments.SandboxProvider.charge

    def terminate_then_charge(self, **kwargs):
        """The app's database connection is cut between the order and its charge."""
        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return real_charge(self, **kwargs)

    client = Client(raise_request_exception=False)
    client.force_login(user(shopper.customer_id))
    monkeypatch.setattr(payments.SandboxProvider, "charge", terminate_then_charge)
    body = json.dumps(CARD_BODY)
    first = client.post(
        "/api/v1/checkout", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code in (500, 503)  # 503 once the database-down page answers
    number = Order.objects.get().number

    monkeypatch.setattr(payments.SandboxProvider, "charge", real_charge)
    retry = client.post(
        "/api/v1/checkout", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert retry.status_code == 201, retry.content
    assert retry.json()["number"] == number and retry.json()["status"] == "paid"
    _one_paid_order(number)


@pytest.mark.race
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_charges_with_one_key_capture_once():
    gateway = payments.provider()
    token = gateway.tokenize(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")

    outcomes = race(
        10,
        lambda i: gateway.charge(
            token=token.token, amount=10, reference="EP-1", idempotency_key="same"
        ),
    )

    assert all(isinstance(o, payments.ChargeResult) and o.approved for o in outcomes), outcomes
    assert len({o.reference for o in outcomes}) == 1
    assert _charges() == 1


@pytest.mark.race
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retries_racing_an_order_whose_charge_was_not_recorded_charge_once():
    """Ten retries of one key arrive together at an order whose process died before the
    charge: each resumes it, the gateway charges once, the capture is recorded once."""
    shopper = make_shopper()
    placed = _killed_after_the_order(shopper)

    outcomes = race(10, lambda i: _place_once(shopper))

    assert {(o.status, o.number) for o in outcomes} == {(201, placed.number)}, outcomes
    _one_paid_order(placed.number)
