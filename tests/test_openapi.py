"""The OpenAPI spec describes what the API really does."""

import json

import pytest
from ninja.openapi.schema import OpenAPISchema, get_schema

from electropluz.api import api

pytestmark = pytest.mark.django_db


def _schema_with_collisions(monkeypatch) -> tuple[dict, list[str]]:
    """The spec, and every schema name that two different definitions claimed.

    django-ninja keeps the components of the spec in one dict by name, so two schema
    classes of the same name (``LineOut`` in two apps) silently overwrite each other.
    """
    collisions: list[str] = []
    original = OpenAPISchema.add_schema_definitions

    def checking(self, definitions):
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and json.dumps(known, sort_keys=True) != json.dumps(
                definition, sort_keys=True
            ):
                collisions.append(name)
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", checking)
    return get_schema(api), collisions


def test_no_two_schemas_share_a_name(monkeypatch):
    _spec, collisions = _schema_with_collisions(monkeypatch)
    assert sorted(set(collisions)) == [], sorted(set(collisions))


def test_the_cart_documents_its_own_lines_and_the_checkout_its_own_address(monkeypatch):
    spec, _collisions = _schema_with_collisions(monkeypatch)
    schemas = spec["components"]["schemas"]
    cart = spec["paths"]["/cart"]["get"]["responses"][200]["content"]["application/json"]
    cart_schema = schemas[cart["schema"]["$ref"].rsplit("/", 1)[-1]]
    line_ref = cart_schema["properties"]["lines"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert {"variant_id", "available", "issues"} <= set(schemas[line_ref]["properties"])
    checkout = spec["paths"]["/checkout"]["post"]["requestBody"]["content"]
    body = schemas[checkout["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    address = body["properties"]["shipping_address"]["anyOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert "label" not in schemas[address]["properties"]  # not the address-book shape
    assert "is_default" not in schemas[address]["properties"]
