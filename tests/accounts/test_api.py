"""/api/v1/me: the caller's own account and addresses, by session (with CSRF) or API token."""

import pytest
from django.test import Client

from apps.accounts import services
from apps.accounts.models import Address, ApiToken
from tests.helpers import assert_error_shape

from .factories import AddressFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
ADDRESSES = "/api/v1/me/addresses"
ADDRESS = {
    "label": "Casa",
    "full_name": "Ana García",
    "line1": "Calle Mayor 1",
    "postal_code": "28013",
    "city": "Madrid",
    "country": "ES",
}


def _bearer(user, scope):
    token = services.api_token_create(user_id=user.pk, name="test", scope=scope).token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}, token


def test_me_needs_authentication(client):
    assert_error_shape(client.get(ME), 401, "not_authenticated")
    assert_error_shape(client.get(ME, HTTP_AUTHORIZATION="Bearer ep_nope"), 401)


def test_me_with_the_session(client, customer):
    client.force_login(customer)
    response = client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == customer.email and body["id"] == customer.pk
    assert "password" not in body and "is_staff" not in body


def test_me_with_a_token_and_last_use_recorded(customer):
    headers, _ = _bearer(customer, "read")
    response = Client().get(ME, **headers)
    assert response.status_code == 200
    assert response.json()["email"] == customer.email
    assert ApiToken.objects.get().last_used_at is not None


def test_a_read_token_cannot_write_and_a_write_token_can(customer):
    read, _ = _bearer(customer, "read")
    response = Client().post(ADDRESSES, ADDRESS, content_type="application/json", **read)
    assert_error_shape(response, 403, "permission_denied")
    assert not Address.objects.exists()

    write, _ = _bearer(customer, "write")
    response = Client().post(ADDRESSES, ADDRESS, content_type="application/json", **write)
    assert response.status_code == 201, response.content
    assert response.json()["is_default"] is True
    assert Address.objects.get().user_id == customer.pk


def test_a_revoked_token_or_inactive_user_is_refused(customer):
    headers, _ = _bearer(customer, "write")
    services.api_token_revoke(user_id=customer.pk, token_id=ApiToken.objects.get().pk)
    assert_error_shape(Client().get(ME, **headers), 401)

    headers, _ = _bearer(customer, "write")
    customer.is_active = False
    customer.save()
    assert_error_shape(Client().get(ME, **headers), 401)


def test_session_writes_need_the_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    response = client.post(ADDRESSES, ADDRESS, content_type="application/json")
    assert_error_shape(response, 403)
    assert not Address.objects.exists()

    client.get("/cuenta/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        ADDRESSES, ADDRESS, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201


def test_address_crud_through_the_api(client, customer):
    client.force_login(customer)
    created = client.post(ADDRESSES, ADDRESS, content_type="application/json").json()
    url = f"{ADDRESSES}/{created['id']}"
    assert client.get(url).json()["city"] == "Madrid"
    assert [a["id"] for a in client.get(ADDRESSES).json()] == [created["id"]]

    updated = client.put(url, {**ADDRESS, "city": "Toledo"}, content_type="application/json")
    assert updated.status_code == 200 and updated.json()["city"] == "Toledo"

    assert client.delete(url).status_code == 204
    assert not Address.objects.exists()


@pytest.mark.parametrize("extra", [{"user_id": 1}, {"user": 1}, {"id": 99}, {"is_staff": True}])
def test_extra_fields_are_rejected(client, customer, other_customer, extra):
    client.force_login(customer)
    response = client.post(ADDRESSES, {**ADDRESS, **extra}, content_type="application/json")
    assert_error_shape(response, 422, "invalid")
    assert not Address.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_another_customers_address_is_not_found(client, customer, others_address, method):
    client.force_login(customer)
    url = f"{ADDRESSES}/{others_address.pk}"
    kwargs = {"data": {**ADDRESS, "city": "Hackeada"}, "content_type": "application/json"}
    response = getattr(client, method)(url, **(kwargs if method == "put" else {}))
    assert_error_shape(response, 404)
    others_address.refresh_from_db()
    assert others_address.city == "Madrid"


def test_another_customers_address_is_not_listed(client, customer, others_address):
    AddressFactory(user=customer)
    client.force_login(customer)
    ids = [a["id"] for a in client.get(ADDRESSES).json()]
    assert others_address.pk not in ids and len(ids) == 1


def test_the_openapi_spec_lists_the_account_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/me" in paths
    assert {"get", "post"} <= set(paths["/api/v1/me/addresses"])
    assert {"get", "put", "delete"} <= set(paths["/api/v1/me/addresses/{address_id}"])
