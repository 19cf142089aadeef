"""How the API reports what went wrong: "not found" only when a lookup says so."""

import pytest
from django.test import RequestFactory

from apps.accounts import services as accounts_services
from apps.inventory import services as inventory_services
from apps.inventory.models import Variant
from electropluz.api import api
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    from django.contrib.auth import get_user_model

    user_id = accounts_services.user_create(
        email="gestor@example.com", password="Clave-segura-123", role="manager"
    )
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


def test_a_stray_does_not_exist_is_a_server_error_not_a_404():
    request = RequestFactory().get("/api/v1/anything")
    assert_error_shape(api.on_exception(request, Variant.DoesNotExist()), 500, "server_error")


def test_a_bug_raising_does_not_exist_inside_a_service_answers_500(manager_client, monkeypatch):
    def broken(**kwargs):
        return Variant.objects.get(pk=-1)  # a lookup that should never fail

    monkeypatch.setattr(inventory_services, "stock_receive", broken)
    response = manager_client.post(
        "/api/v1/manager/stock/receive",
        {"variant_id": 1, "quantity": 1},
        content_type="application/json",
    )
    assert_error_shape(response, 500, "server_error")


def test_an_unknown_variant_is_still_a_404(manager_client):
    response = manager_client.post(
        "/api/v1/manager/stock/receive",
        {"variant_id": 999999, "quantity": 1},
        content_type="application/json",
    )
    assert_error_shape(response, 404)
