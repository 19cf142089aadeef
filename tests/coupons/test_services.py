"""Redeem, release and the manager's use cases."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import NotFoundError
from apps.core.models import OutboxMessage
from apps.coupons import selectors as coupons_selectors
from apps.coupons import services as coupons_services
from apps.coupons.models import Coupon, CouponRedemption
from tests.coupons.factories import make_coupon, make_customer

pytestmark = pytest.mark.django_db

D = Decimal


def redeem(
    code="CUPON", customer_id=None, ref="EP-2026-000001", discount="5.00", total="95.00", **kw
):
    return coupons_services.coupon_redeem(
        code=code,
        customer_id=customer_id,
        order_reference=ref,
        discount=D(discount),
        order_total=D(total),
        **kw,
    )


def uses(code="CUPON"):
    return Coupon.objects.get(code=code).uses


# --- Redeem ------------------------------------------------------------------------------


def test_redeem_records_the_use_and_publishes_an_event():
    customer = make_customer()
    make_coupon(code="CUPON", max_uses=3)
    redemption_id = redeem(code="cupon", customer_id=customer).redemption_id
    redemption = CouponRedemption.objects.get(pk=redemption_id)
    assert (redemption.customer_id, redemption.discount, redemption.order_total) == (
        customer,
        D("5.00"),
        D("95.00"),
    )
    assert uses() == 1
    event = OutboxMessage.objects.get(event_type="coupons.CouponRedeemed")
    assert event.payload["order_reference"] == "EP-2026-000001"
    assert event.payload["discount"] == "5.00"
    assert event.payload["code"] == "CUPON"


def test_redeem_stops_at_max_uses():
    make_coupon(code="CUPON", max_uses=2)
    redeem(ref="EP-1")
    redeem(ref="EP-2")
    with pytest.raises(coupons_services.CouponNotApplicableError) as caught:
        redeem(ref="EP-3")
    assert caught.value.code == "coupon_exhausted"
    assert uses() == 2
    assert CouponRedemption.objects.count() == 2


def test_redeem_stops_at_the_per_customer_limit():
    make_coupon(code="CUPON", max_uses_per_customer=2)
    ana, luis = make_customer(), make_customer()
    redeem(customer_id=ana, ref="EP-1")
    redeem(customer_id=ana, ref="EP-2")
    with pytest.raises(coupons_services.CouponNotApplicableError) as caught:
        redeem(customer_id=ana, ref="EP-3")
    assert caught.value.code == "coupon_already_used"
    redeem(customer_id=luis, ref="EP-4")
    with pytest.raises(coupons_services.CouponNotApplicableError) as caught:
        redeem(customer_id=None, ref="EP-5")
    assert caught.value.code == "coupon_requires_account"
    assert uses() == 3


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"is_active": False}, "coupon_inactive"),
        ({"valid_from": timezone.now() + timedelta(days=1)}, "coupon_not_started"),
        (
            {
                "valid_from": timezone.now() - timedelta(days=3),
                "valid_until": timezone.now() - timedelta(days=1),
            },
            "coupon_expired",
        ),
    ],
)
def test_redeem_rechecks_validity(fields, expected):
    make_coupon(code="CUPON", **fields)
    with pytest.raises(coupons_services.CouponNotApplicableError) as caught:
        redeem()
    assert caught.value.code == expected
    assert uses() == 0


def test_redeem_unknown_code():
    with pytest.raises(coupons_services.CouponNotApplicableError) as caught:
        redeem(code="NADA")
    assert caught.value.code == "coupon_unknown"


def test_the_same_order_cannot_redeem_a_coupon_twice():
    make_coupon(code="CUPON")
    redeem(ref="EP-1")
    with pytest.raises(coupons_services.CouponNotApplicableError):
        redeem(ref="EP-1")
    assert uses() == 1


def test_a_refused_redeem_rolls_back_only_itself_inside_the_checkout():
    make_coupon(code="CUPON", max_uses=1)
    redeem(ref="EP-1")
    with transaction.atomic():
        with pytest.raises(coupons_services.CouponNotApplicableError):
            redeem(ref="EP-2")
        assert uses() == 1  # the checkout's transaction is still usable


def test_the_database_refuses_uses_above_max_uses():
    coupon_id = make_coupon(code="CUPON", max_uses=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.filter(pk=coupon_id).update(uses=2)


# --- Release -------------------------------------------------------------------------


def test_release_gives_the_use_back_once():
    customer = make_customer()
    make_coupon(code="CUPON", max_uses=1, max_uses_per_customer=1)
    redeem(customer_id=customer, ref="EP-1")
    assert coupons_services.coupon_release(order_reference="EP-1") is True
    assert coupons_services.coupon_release(order_reference="EP-1") is False
    assert uses() == 0
    redemption = CouponRedemption.objects.get(order_reference="EP-1")
    assert redemption.released_at is not None
    assert OutboxMessage.objects.filter(event_type="coupons.CouponReleased").count() == 1
    # the use is free again, for the same customer too
    redeem(customer_id=customer, ref="EP-2")
    assert uses() == 1


def test_release_of_an_unknown_order_does_nothing():
    assert coupons_services.coupon_release(order_reference="EP-404") is False


# --- Manager use cases ------------------------------------------------------------------


def test_create_stores_the_code_upper_case_and_refuses_duplicates_in_any_case():
    coupon_id = make_coupon(code="rebajas-24", kind="fixed", value="12,50")
    coupon = Coupon.objects.get(pk=coupon_id)
    assert (coupon.code, coupon.value) == ("REBAJAS-24", D("12.50"))
    with pytest.raises(coupons_services.CouponValidationError) as caught:
        make_coupon(code="Rebajas-24")
    assert caught.value.code == "coupon_code_taken"
    assert caught.value.details == {"code": "taken"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "percentage", "value": "0"}, "value"),
        ({"kind": "percentage", "value": "100.01"}, "value"),
        ({"kind": "fixed", "value": "0"}, "value"),
        ({"kind": "fixed", "value": "abc"}, "value"),
        ({"kind": "bogus"}, "kind"),
        ({"minimum_subtotal": "-1"}, "minimum_subtotal"),
        ({"max_uses": 0}, "max_uses"),
        ({"code": "a"}, "code"),
        ({"code": "ÑANDÚ"}, "code"),
        ({"valid_until": timezone.now() - timedelta(days=5)}, "valid_until"),
        ({"category_ids": ["x"]}, "category_ids"),
    ],
)
def test_create_validation_names_the_field(fields, field):
    with pytest.raises(coupons_services.CouponValidationError) as caught:
        make_coupon(**fields)
    assert field in caught.value.details
    assert caught.value.status == 422


def test_free_shipping_value_is_zero():
    coupon_id = make_coupon(kind="free_shipping", value="15")
    assert Coupon.objects.get(pk=coupon_id).value == D("0.00")


def test_update_changes_some_fields_and_keeps_the_rest():
    coupon_id = make_coupon(code="CUPON", value="10", max_uses=5, name="Original")
    coupons_services.coupon_update(coupon_id=coupon_id, value="20", code="nuevo")
    coupon = Coupon.objects.get(pk=coupon_id)
    assert (coupon.code, coupon.value, coupon.max_uses, coupon.name) == (
        "NUEVO",
        D("20.00"),
        5,
        "Original",
    )


def test_update_cannot_lower_max_uses_below_uses_or_take_a_used_code():
    coupon_id = make_coupon(code="CUPON", max_uses=5)
    make_coupon(code="OTRO")
    redeem(ref="EP-1")
    redeem(ref="EP-2")
    with pytest.raises(coupons_services.CouponValidationError) as caught:
        coupons_services.coupon_update(coupon_id=coupon_id, max_uses=1)
    assert "max_uses" in caught.value.details
    with pytest.raises(coupons_services.CouponValidationError):
        coupons_services.coupon_update(coupon_id=coupon_id, code="otro")
    with pytest.raises(NotFoundError):
        coupons_services.coupon_update(coupon_id=999999, name="x")


def test_deactivate():
    coupon_id = make_coupon()
    assert coupons_services.coupon_deactivate(coupon_id=coupon_id) is True
    assert coupons_services.coupon_deactivate(coupon_id=coupon_id) is False
    assert not Coupon.objects.get(pk=coupon_id).is_active


# --- Bulk generation ---------------------------------------------------------------------


def test_bulk_generate_makes_unique_single_use_codes(django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        codes = coupons_services.coupon_bulk_generate(
            prefix="navidad", count=500, kind="fixed", value="5"
        )
    assert len(codes) == len(set(codes)) == 500
    assert all(code.startswith("NAVIDAD-") and len(code) == len("NAVIDAD-") + 10 for code in codes)
    assert Coupon.objects.filter(code__in=codes, max_uses=1, kind="fixed").count() == 500
    assert len(set(Coupon.objects.filter(code__in=codes).values_list("batch", flat=True))) == 1
    # each one works once
    redeem(code=codes[0], ref="EP-1")
    with pytest.raises(coupons_services.CouponNotApplicableError) as caught:
        redeem(code=codes[0], ref="EP-2")
    assert caught.value.code == "coupon_exhausted"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"prefix": "", "count": 5}, "prefix"),
        ({"prefix": "X", "count": 0}, "count"),
        ({"prefix": "X", "count": coupons_services.BULK_MAX + 1}, "count"),
    ],
)
def test_bulk_generate_limits(kwargs, field):
    with pytest.raises(coupons_services.CouponValidationError) as caught:
        coupons_services.coupon_bulk_generate(kind="percentage", value="5", **kwargs)
    assert field in caught.value.details
    assert Coupon.objects.count() == 0


def test_generated_codes_evaluate():
    [code] = coupons_services.coupon_bulk_generate(
        prefix="A", count=1, kind="percentage", value="50"
    )
    from tests.coupons.factories import line

    result = coupons_selectors.coupon_evaluate(
        code=code.lower(), lines=[line(amount="10.00")], subtotal=D("10.00"), customer_id=None
    )
    assert result.discount == D("5.00")
