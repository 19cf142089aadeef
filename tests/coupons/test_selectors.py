"""coupon_evaluate: every refusal with its code, the discount maths, the restrictions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.errors import InvalidInputError
from apps.coupons import selectors as coupons_selectors
from apps.coupons import services as coupons_services
from apps.coupons.selectors import allocate
from tests.coupons.factories import line, make_coupon, make_customer

pytestmark = pytest.mark.django_db

D = Decimal


def evaluate(code, lines=None, subtotal=None, customer_id=None, **kwargs):
    lines = lines if lines is not None else [line()]
    subtotal = subtotal if subtotal is not None else sum((x.amount for x in lines), D("0"))
    return coupons_selectors.coupon_evaluate(
        code=code, lines=lines, subtotal=subtotal, customer_id=customer_id, **kwargs
    )


def refusal(code, **kwargs) -> coupons_services.CouponNotApplicableError:
    with pytest.raises(coupons_services.CouponNotApplicableError) as caught:
        evaluate(code, **kwargs)
    assert caught.value.message
    return caught.value


# --- Refusals ------------------------------------------------------------------------


def test_unknown_code():
    error = refusal("NOEXISTE")
    assert error.code == "coupon_unknown"
    assert error.status == 422
    assert "NOEXISTE" in error.message
    assert refusal("   ").code == "coupon_unknown"


def test_inactive():
    coupon_id = make_coupon(code="VERANO")
    coupons_services.coupon_deactivate(coupon_id=coupon_id)
    assert refusal("verano").code == "coupon_inactive"


def test_not_started_and_expired():
    now = timezone.now()
    make_coupon(code="FUTURO", valid_from=now + timedelta(days=2))
    make_coupon(
        code="PASADO", valid_from=now - timedelta(days=10), valid_until=now - timedelta(days=1)
    )
    assert refusal("FUTURO").code == "coupon_not_started"
    assert refusal("PASADO").code == "coupon_expired"
    # the window is [valid_from, valid_until)
    assert evaluate("FUTURO", now=now + timedelta(days=2)).discount == D("10.00")
    assert evaluate("PASADO", now=now - timedelta(days=1, seconds=1)).discount == D("10.00")


def test_minimum_not_reached_says_how_much_is_missing():
    make_coupon(code="MIN50", minimum_subtotal="50")
    error = refusal("MIN50", lines=[line(amount="42.30")])
    assert error.code == "coupon_minimum_not_reached"
    assert error.details["missing"] == "7.70"
    assert "le faltan 7,70\u00a0€" in error.message
    assert evaluate("MIN50", lines=[line(amount="50.00")]).discount == D("5.00")


def test_exhausted_when_uses_reached_max_uses():
    make_coupon(code="CINCO", max_uses=1)
    coupons_services.coupon_redeem(
        code="CINCO", customer_id=None, order_reference="EP-1", discount=D("1"), order_total=D("9")
    )
    error = refusal("CINCO")
    assert error.code == "coupon_exhausted"
    assert error.status == 409


def test_already_used_by_this_customer_but_not_by_another():
    make_coupon(code="UNAVEZ", max_uses_per_customer=1)
    ana, luis = make_customer(), make_customer()
    coupons_services.coupon_redeem(
        code="UNAVEZ", customer_id=ana, order_reference="EP-1", discount=D("1"), order_total=D("9")
    )
    assert refusal("UNAVEZ", customer_id=ana).code == "coupon_already_used"
    assert evaluate("UNAVEZ", customer_id=luis).discount == D("10.00")


def test_nothing_in_the_cart_it_applies_to():
    make_coupon(code="SOLOMARCA", brand_ids=[7])
    assert refusal("SOLOMARCA", lines=[line(brand_id=8)]).code == "coupon_not_applicable"


def test_first_order_only():
    make_coupon(code="BIENVENIDA", first_order_only=True)
    customer = make_customer()
    error = refusal("BIENVENIDA", customer_id=customer, has_previous_orders=True)
    assert error.code == "coupon_first_order_only"
    assert evaluate("BIENVENIDA", customer_id=customer).discount == D("10.00")


@pytest.mark.parametrize("fields", [{"first_order_only": True}, {"max_uses_per_customer": 2}])
def test_per_customer_and_first_order_coupons_need_an_account(fields):
    make_coupon(code="CONCUENTA", **fields)
    assert refusal("CONCUENTA", customer_id=None).code == "coupon_requires_account"


def test_bad_lines_are_invalid_input():
    make_coupon(code="DIEZ")
    with pytest.raises(InvalidInputError):
        evaluate("DIEZ", lines=[line(amount="1.005")])
    with pytest.raises(InvalidInputError):
        evaluate("DIEZ", lines=[line("a"), line("a")])


# --- Maths ---------------------------------------------------------------------------


def test_code_is_case_insensitive_and_stored_upper_case():
    make_coupon(code="  primavera ")
    result = evaluate("Primavera")
    assert result.code == "PRIMAVERA"


def test_percentage_rounds_half_up_once():
    make_coupon(code="QUINCE", value="15")
    # 15 % of 33.30 = 4.995 -> 5.00 (half up)
    result = evaluate("QUINCE", lines=[line(amount="33.30")])
    assert result.discount == D("5.00")
    assert result.free_shipping is False
    assert result.kind == "percentage"


def test_fixed_amount_is_capped_at_the_eligible_total():
    make_coupon(code="VEINTE", kind="fixed", value="20")
    assert evaluate("VEINTE", lines=[line(amount="50.00")]).discount == D("20.00")
    assert evaluate("VEINTE", lines=[line(amount="12.34")]).discount == D("12.34")


def test_hundred_percent_is_the_whole_eligible_subtotal():
    make_coupon(code="GRATIS", value="100")
    result = evaluate("GRATIS", lines=[line("a", amount="10.01"), line("b", amount="0.02")])
    assert result.discount == D("10.03")
    assert result.line_discounts == {"a": D("10.01"), "b": D("0.02")}


def test_free_shipping_gives_no_discount_but_free_shipping():
    make_coupon(code="ENVIO", kind="free_shipping", value="0")
    result = evaluate("ENVIO", lines=[line("a"), line("b")])
    assert result.discount == D("0.00")
    assert result.free_shipping is True
    assert result.eligible_line_ids == ("a", "b")
    assert sum(result.line_discounts.values()) == 0


def test_restricted_to_a_category_covers_its_subcategories():
    informatica, portatiles, sonido = 10, 11, 20
    make_coupon(code="INFO", value="10", category_ids=[informatica])
    lines = [
        line("portatil", amount="800.00", category_ids=(informatica, portatiles)),
        line("altavoz", amount="100.00", category_ids=(sonido,)),
    ]
    result = evaluate("INFO", lines=lines)
    assert result.eligible_line_ids == ("portatil",)
    assert result.discount == D("80.00")
    assert result.line_discounts == {"portatil": D("80.00")}


def test_restricted_to_brands_or_products():
    make_coupon(code="MARCA", kind="fixed", value="30", brand_ids=[5])
    make_coupon(code="PRODUCTO", value="50", product_ids=[42])
    lines = [
        line("a", amount="20.00", product_id=1, brand_id=5),
        line("b", amount="40.00", product_id=42, brand_id=6),
        line("c", amount="60.00", product_id=2, brand_id=None),
    ]
    brand = evaluate("MARCA", lines=lines)
    assert brand.eligible_line_ids == ("a",)
    assert brand.discount == D("20.00")  # capped at the eligible subtotal, not the cart's
    product = evaluate("PRODUCTO", lines=lines)
    assert product.eligible_line_ids == ("b",)
    assert product.discount == D("20.00")


def test_restrictions_combine_with_or():
    make_coupon(code="MIXTO", value="10", brand_ids=[5], product_ids=[42], category_ids=[3])
    lines = [
        line("brand", product_id=1, brand_id=5, category_ids=(9,)),
        line("product", product_id=42, category_ids=(9,)),
        line("category", product_id=2, category_ids=(1, 3)),
        line("none", product_id=3, category_ids=(9,)),
    ]
    assert evaluate("MIXTO", lines=lines).eligible_line_ids == ("brand", "product", "category")


def test_line_discounts_add_up_exactly_to_the_discount():
    make_coupon(code="TERCIO", kind="fixed", value="10")
    lines = [line(str(i), amount="3.33") for i in range(3)]
    result = evaluate("TERCIO", lines=lines)
    assert result.discount == D("9.99")
    assert sum(result.line_discounts.values()) == result.discount
    make_coupon(code="DIEZEUROS", kind="fixed", value="10")
    result = evaluate("DIEZEUROS", lines=[line(str(i), amount="20.00") for i in range(3)])
    assert sorted(result.line_discounts.values()) == [D("3.33"), D("3.33"), D("3.34")]
    assert sum(result.line_discounts.values()) == D("10.00")


# --- Properties ------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=5_000_000)


@settings(max_examples=300, deadline=None)
@given(total=cents, amounts=st.lists(cents, min_size=1, max_size=12))
def test_allocate_never_creates_or_loses_a_cent(total, amounts):
    amounts = [D(a) / 100 for a in amounts]
    total = min(D(total) / 100, sum(amounts))
    shares = allocate(total, amounts)
    assert len(shares) == len(amounts)
    if sum(amounts) > 0:
        assert sum(shares) == total
    assert all(D("0") <= share <= amount for share, amount in zip(shares, amounts, strict=True))
    assert all(share == share.quantize(D("0.01")) for share in shares)


@st.composite
def carts(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    return [
        line(
            str(i),
            amount=D(draw(st.integers(min_value=0, max_value=500_000))) / 100,
            product_id=draw(st.integers(min_value=1, max_value=4)),
            brand_id=draw(st.sampled_from([None, 1, 2])),
            category_ids=draw(st.sampled_from([(1,), (1, 2), (3,), (3, 4)])),
        )
        for i in range(n)
    ]


@pytest.fixture
def property_coupons():
    return {
        "pct": make_coupon(code="PROP-PCT", value="17.5"),
        "pct-cat": make_coupon(code="PROP-CAT", value="33", category_ids=[1]),
        "fixed": make_coupon(code="PROP-FIX", kind="fixed", value="25"),
        "fixed-brand": make_coupon(code="PROP-BRAND", kind="fixed", value="99.99", brand_ids=[2]),
        "fixed-product": make_coupon(code="PROP-PROD", kind="fixed", value="0.05", product_ids=[3]),
    }


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cart=carts(),
    code=st.sampled_from(["PROP-PCT", "PROP-CAT", "PROP-FIX", "PROP-BRAND", "PROP-PROD"]),
)
def test_evaluate_properties(property_coupons, cart, code):
    try:
        result = evaluate(code, lines=cart)
    except coupons_services.CouponNotApplicableError as error:
        assert error.code == "coupon_not_applicable"
        return
    eligible = [x for x in cart if x.line_id in result.eligible_line_ids]
    eligible_subtotal = sum((x.amount for x in eligible), D("0"))
    assert result.discount >= 0
    assert result.discount <= eligible_subtotal
    assert result.discount == result.discount.quantize(D("0.01"))
    assert set(result.line_discounts) == set(result.eligible_line_ids)
    assert sum(result.line_discounts.values(), D("0")) == result.discount
    for x in eligible:
        assert D("0") <= result.line_discounts[x.line_id] <= x.amount


# --- Lists and the report -------------------------------------------------------------


def test_coupon_list_filters():
    make_coupon(code="ALFA", kind="fixed", value="5")
    beta = make_coupon(code="BETA", name="Rebajas")
    coupons_services.coupon_deactivate(coupon_id=beta)
    Filters = coupons_selectors.CouponListFilters
    codes = lambda f: [c.code for c in coupons_selectors.coupon_list(filters=f)]  # noqa: E731
    assert codes(Filters()) == ["BETA", "ALFA"]
    assert codes(Filters(active=True)) == ["ALFA"]
    assert codes(Filters(kind="percentage")) == ["BETA"]
    assert codes(Filters(q="alf")) == ["ALFA"]
    assert codes(Filters(q="rebajas")) == ["BETA"]


def test_usage_report_leaves_out_released_redemptions():
    make_coupon(code="USO", kind="fixed", value="5")
    unused = make_coupon(code="NUNCA")
    for i, total in enumerate(["100.00", "50.10", "20.00"]):
        coupons_services.coupon_redeem(
            code="USO",
            customer_id=None,
            order_reference=f"EP-{i}",
            discount=D("5"),
            order_total=D(total),
        )
    coupons_services.coupon_release(order_reference="EP-2")
    [row] = coupons_selectors.coupon_usage_report()
    assert (row.code, row.redemptions, row.discount_total, row.revenue) == (
        "USO",
        2,
        D("10.00"),
        D("150.10"),
    )
    [never] = coupons_selectors.coupon_usage_report(coupon_id=unused)
    assert (never.redemptions, never.discount_total, never.revenue) == (0, D("0.00"), D("0.00"))
