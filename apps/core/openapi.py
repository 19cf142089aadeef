"""The API's one error shape, as a schema the OpenAPI spec can name.

Routers declare the business errors an operation answers with ``errors(404, 409)`` in
its ``response``; the API adds the errors every operation of its kind can answer (see
``electropluz.api``), so the spec documents every 4xx with this shape.
"""

from typing import Any

from ninja import Schema


class ErrorBody(Schema):
    code: str  # stable: "out_of_stock", "coupon_exhausted", "invalid", ...
    message: str  # for a person, in the request's language
    details: Any = None  # optional: the fields or lines concerned


class ErrorOut(Schema):
    """``{"error": {"code", "message", "details"}}``"""

    error: ErrorBody


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response={200: Out, **errors(404, 409)}``: the error answers of an operation."""
    return dict.fromkeys(statuses, ErrorOut)
