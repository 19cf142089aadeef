"""The API's frame: OpenAPI, docs, and one error shape for every error."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from ninja.errors import AuthenticationError

from apps.core.errors import ConflictError, InvalidInputError, NotFoundError
from electropluz.api import api
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db


def test_openapi_spec_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "ElectroPluz API"
    assert spec["openapi"].startswith("3.")


def test_docs_are_served_from_our_own_static_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html


def test_unknown_api_route_answers_in_the_error_shape(client):
    assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (InvalidInputError("bad"), 422, "invalid"),
        (NotFoundError(), 404, "not_found"),
        (ConflictError(code="already_running"), 409, "already_running"),
        (PermissionDenied(), 403, "permission_denied"),
        (Http404(), 404, "not_found"),
        (AuthenticationError(), 401, "not_authenticated"),
        (ZeroDivisionError(), 500, "server_error"),
    ],
)
def test_every_error_leaves_the_api_in_one_shape(exc, status, code):
    request = RequestFactory().get("/api/v1/anything")
    response = api.on_exception(request, exc)
    assert_error_shape(response, status, code)
