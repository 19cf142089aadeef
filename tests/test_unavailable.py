"""A database outage is a friendly 503 (page or API error shape), never a traceback; a
bad query stays a 500 (that is a bug)."""

import pytest
from django.db import OperationalError, ProgrammingError
from django.test import Client

from apps.inventory import selectors as inventory_selectors
from electropluz.unavailable import is_outage


def _down(*args, **kwargs):
    raise OperationalError('connection to server at "db" failed: Connection refused')


@pytest.mark.django_db
def test_a_page_answers_503_in_spanish_while_the_database_is_down(monkeypatch):
    monkeypatch.setattr(inventory_selectors, "product_page", _down)
    response = Client(raise_request_exception=False).get("/productos/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "Volvemos enseguida" in body and "Connection refused" not in body


@pytest.mark.django_db
def test_the_api_answers_503_in_its_error_shape(monkeypatch):
    monkeypatch.setattr(inventory_selectors, "product_search", _down)
    response = Client(raise_request_exception=False).get("/api/v1/products")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


def test_only_connection_failures_count_as_an_outage():
    assert is_outage(OperationalError("server closed the connection unexpectedly"))
    assert not is_outage(ProgrammingError("column does not exist"))
    assert not is_outage(ValueError("bad input"))
