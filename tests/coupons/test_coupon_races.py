"""Coupon limits under real concurrency, on PostgreSQL (RELIABILITY C-04, C-05)."""

from decimal import Decimal

import pytest

from apps.coupons import services as coupons_services
from apps.coupons.models import Coupon, CouponRedemption
from tests.coupons.factories import make_coupon, make_customer
from tests.race import race

pytestmark = [
    pytest.mark.race,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _refusal_codes(outcomes) -> list[str]:
    refused = [o for o in outcomes if o != "ok"]
    assert all(isinstance(o, coupons_services.CouponNotApplicableError) for o in refused), refused[
        :3
    ]
    return [o.code for o in refused]


def test_c04_fifty_checkouts_for_a_five_use_coupon_redeem_exactly_five():
    coupon_id = make_coupon(code="CINCO", kind="fixed", value="10", max_uses=5)
    customers = [make_customer(f"c{i}@example.com") for i in range(50)]

    def checkout(i):
        coupons_services.coupon_redeem(
            code="CINCO",
            customer_id=customers[i],
            order_reference=f"EP-2026-{i:06d}",
            discount=Decimal("10.00"),
            order_total=Decimal("90.00"),
        )
        return "ok"

    outcomes = race(50, checkout)
    assert outcomes.count("ok") == 5
    assert _refusal_codes(outcomes) == ["coupon_exhausted"] * 45
    assert Coupon.objects.get(pk=coupon_id).uses == 5
    assert CouponRedemption.objects.filter(coupon_id=coupon_id).count() == 5


def test_c05_one_customer_twenty_checkouts_redeem_once():
    coupon_id = make_coupon(code="UNAVEZ", max_uses_per_customer=1)
    customer = make_customer()

    def checkout(i):
        coupons_services.coupon_redeem(
            code="UNAVEZ",
            customer_id=customer,
            order_reference=f"EP-2026-{i:06d}",
            discount=Decimal("5.00"),
            order_total=Decimal("45.00"),
        )
        return "ok"

    outcomes = race(20, checkout)
    assert outcomes.count("ok") == 1
    assert _refusal_codes(outcomes) == ["coupon_already_used"] * 19
    assert Coupon.objects.get(pk=coupon_id).uses == 1
    assert CouponRedemption.objects.filter(coupon_id=coupon_id, customer_id=customer).count() == 1


def test_both_limits_together_and_many_customers():
    coupon_id = make_coupon(code="AMBOS", max_uses=7, max_uses_per_customer=1)
    customers = [make_customer(f"d{i}@example.com") for i in range(10)]

    def checkout(i):
        coupons_services.coupon_redeem(
            code="AMBOS",
            customer_id=customers[i % 10],
            order_reference=f"EP-2026-{i:06d}",
            discount=Decimal("1.00"),
            order_total=Decimal("9.00"),
        )
        return "ok"

    outcomes = race(40, checkout)
    assert outcomes.count("ok") == 7
    assert set(_refusal_codes(outcomes)) <= {"coupon_exhausted", "coupon_already_used"}
    redemptions = CouponRedemption.objects.filter(coupon_id=coupon_id)
    assert redemptions.count() == 7
    assert len(set(redemptions.values_list("customer_id", flat=True))) == 7
    assert Coupon.objects.get(pk=coupon_id).uses == 7


def test_release_raced_fifty_times_gives_the_use_back_once():
    coupon_id = make_coupon(code="VUELTA", max_uses=3)
    coupons_services.coupon_redeem(
        code="VUELTA",
        customer_id=None,
        order_reference="EP-2026-000001",
        discount=Decimal("1.00"),
        order_total=Decimal("9.00"),
    )
    coupons_services.coupon_redeem(
        code="VUELTA",
        customer_id=None,
        order_reference="EP-2026-000002",
        discount=Decimal("1.00"),
        order_total=Decimal("9.00"),
    )

    outcomes = race(30, lambda i: coupons_services.coupon_release(order_reference="EP-2026-000001"))
    assert outcomes.count(True) == 1
    assert outcomes.count(False) == 29
    assert Coupon.objects.get(pk=coupon_id).uses == 1
