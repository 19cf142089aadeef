"""Refunds are paid out after the order's transaction commits, never under its lock."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.sales import payments
from apps.sales import services as sales_services
from apps.sales.models import LedgerEntry, Order, Refund
from tests.sales.factories import APPROVED, make_shopper, make_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings):
    def use(path):
        settings.SHOP_PAYMENT_PROVIDER = path
        payments.provider.cache_clear()

    yield use
    payments.provider.cache_clear()


def _paid_order(price="50.00"):
    shopper = make_shopper()
    shopper.add(make_variant(price=price, stock=5), 1)
    return shopper.place(payment_method="card", card=APPROVED).number


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_gateway_is_asked_after_the_commit_outside_any_transaction(gateway):
    from tests.sales.gateways import RecordingProvider

    gateway("tests.sales.gateways.RecordingProvider")
    RecordingProvider.refunds_inside_transaction.clear()
    number = _paid_order()
    sales_services.order_refund(order_number=number, amount="20.00", by_user_id=None)
    assert RecordingProvider.refunds_inside_transaction == [False]
    refund = Refund.objects.get()
    assert refund.status == "succeeded" and refund.provider_reference.startswith("re_")
    assert Order.objects.get(number=number).refunded == Decimal("20.00")


def test_a_requested_refund_counts_against_what_is_left_until_it_is_paid():
    number = _paid_order("50.00")
    # Inside this test's transaction nothing commits, so the payout waits.
    sales_services.order_refund(order_number=number, by_user_id=None)
    order = Order.objects.get(number=number)
    assert order.refunded == 0 and Refund.objects.get().status == "pending"
    with pytest.raises(sales_services.CheckoutError):
        sales_services.order_refund(order_number=number, amount="1.00", by_user_id=None)
    with pytest.raises(sales_services.IllegalTransitionError):
        sales_services.order_transition(order_number=number, to_status="refunded", by_user_id=None)


def test_a_refund_whose_payout_never_ran_is_paid_by_the_sweep():
    number = _paid_order("30.00")
    sales_services.order_refund(order_number=number, by_user_id=None)
    assert sales_services.refund_retry_pending() == 0, "too recent: its own run may still come"
    Refund.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    assert sales_services.refund_retry_pending() == 1
    order = Order.objects.get(number=number)
    assert order.status == "refunded" and order.refunded == order.total == Decimal("34.99")
    assert LedgerEntry.objects.filter(kind="refund").get().amount == Decimal("-34.99")
    assert sales_services.refund_retry_pending() == 0


def test_a_gateway_failure_leaves_the_refund_failed_and_a_retry_pays_it(gateway):
    number = _paid_order("40.00")
    gateway("tests.sales.gateways.FailingRefundProvider")
    sales_services.order_refund(order_number=number, amount="15.00", by_user_id=None)
    refund = Refund.objects.get()
    assert sales_services.refund_execute(refund_id=refund.pk) is False
    refund.refresh_from_db()
    assert refund.status == "failed" and "unavailable" in refund.failure_message
    assert Order.objects.get(number=number).refunded == 0
    assert not LedgerEntry.objects.filter(kind="refund").exists()

    gateway("apps.sales.payments.SandboxProvider")
    assert sales_services.refund_retry(refund_id=refund.pk) is True
    assert Order.objects.get(number=number).refunded == Decimal("15.00")
    # Paid once, however often it is asked again.
    assert sales_services.refund_execute(refund_id=refund.pk) is False
    assert LedgerEntry.objects.filter(kind="refund").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_manager_sees_a_failed_payout_and_retries_it(gateway, client, django_user_model):
    from apps.accounts import services as accounts_services

    number = _paid_order("60.00")
    manager_id = accounts_services.user_create(
        email="g@example.com", password="x-Clave-123", role="manager"
    )
    client.force_login(django_user_model.objects.get(pk=manager_id))
    gateway("tests.sales.gateways.FailingRefundProvider")
    response = client.post(
        f"/dashboard/pedidos/{number}/reembolso/", {"amount": "10.00"}, follow=True
    )
    html = response.content.decode()
    assert "La pasarela no ha devuelto" in html and 'id="refunds"' in html and "Reintentar" in html
    refund = Refund.objects.get()
    gateway("apps.sales.payments.SandboxProvider")
    response = client.post(
        f"/dashboard/pedidos/{number}/reembolsos/{refund.pk}/reintentar/", follow=True
    )
    assert "Reembolso completado." in response.content.decode()
    assert Order.objects.get(number=number).refunded == Decimal("10.00")
