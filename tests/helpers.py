"""Small helpers shared by the tests."""

import json


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    """The API's one error shape: {"error": {"code", "message"[, "details"]}} with ``status``."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
