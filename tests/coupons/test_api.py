"""The managers' coupons API."""

from decimal import Decimal

import pytest

from apps.coupons import services as coupons_services
from tests.coupons.factories import make_coupon
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db


def test_anonymous_is_refused(client):
    assert_error_shape(client.get("/api/v1/coupons"), 401, "not_authenticated")


def test_customer_is_refused(customer_client):
    assert_error_shape(customer_client.get("/api/v1/coupons"), 403, "permission_denied")


def test_list_filters_and_paginates(manager_client):
    make_coupon(code="ALFA", kind="fixed", value="5")
    beta = make_coupon(code="BETA")
    coupons_services.coupon_deactivate(coupon_id=beta)
    body = manager_client.get("/api/v1/coupons").json()
    assert body["count"] == 2
    assert [
        c["code"] for c in manager_client.get("/api/v1/coupons?active=true").json()["items"]
    ] == ["ALFA"]
    assert [
        c["code"] for c in manager_client.get("/api/v1/coupons?kind=percentage").json()["items"]
    ] == ["BETA"]
    assert [c["code"] for c in manager_client.get("/api/v1/coupons?q=alf").json()["items"]] == [
        "ALFA"
    ]
    assert_error_shape(manager_client.get("/api/v1/coupons?kind=bogus"), 422, "invalid")


def test_create_get_update_deactivate(manager_client):
    response = manager_client.post(
        "/api/v1/coupons",
        {
            "code": "verano",
            "kind": "percentage",
            "value": "15",
            "max_uses": 100,
            "category_ids": [3, 1],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["code"], created["value"], created["category_ids"]) == (
        "VERANO",
        "15.00",
        [1, 3],
    )
    coupon_id = created["id"]
    assert manager_client.get(f"/api/v1/coupons/{coupon_id}").json()["code"] == "VERANO"
    patched = manager_client.patch(
        f"/api/v1/coupons/{coupon_id}", {"value": "20"}, content_type="application/json"
    ).json()
    assert (patched["value"], patched["max_uses"]) == ("20.00", 100)
    deactivated = manager_client.post(f"/api/v1/coupons/{coupon_id}/deactivate").json()
    assert deactivated["is_active"] is False
    assert_error_shape(manager_client.get("/api/v1/coupons/999999"), 404, "not_found")


def test_service_validation_errors_come_back_in_the_error_shape(manager_client):
    make_coupon(code="USADO")
    error = assert_error_shape(
        manager_client.post(
            "/api/v1/coupons",
            {"code": "usado", "kind": "fixed", "value": "5"},
            content_type="application/json",
        ),
        422,
        "coupon_code_taken",
    )
    assert error["details"] == {"code": "taken"}
    assert_error_shape(
        manager_client.post(
            "/api/v1/coupons",
            {"code": "CIENTO", "kind": "percentage", "value": "150"},
            content_type="application/json",
        ),
        422,
        "invalid",
    )


def test_usage_report(manager_client):
    coupon_id = make_coupon(code="USO", kind="fixed", value="5")
    coupons_services.coupon_redeem(
        code="USO",
        customer_id=None,
        order_reference="EP-1",
        discount=Decimal("5"),
        order_total=Decimal("45"),
    )
    [row] = manager_client.get("/api/v1/coupons/report").json()
    assert row == {
        "coupon_id": coupon_id,
        "code": "USO",
        "name": "",
        "kind": "fixed",
        "redemptions": 1,
        "discount_total": "5.00",
        "revenue": "45.00",
    }
    assert (
        manager_client.get(f"/api/v1/coupons/report?coupon_id={coupon_id}").json()[0]["code"]
        == "USO"
    )
