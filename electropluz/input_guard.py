"""One guard for every request: text with a NUL character is refused before any view runs.

No database column holds ``\\x00`` (PostgreSQL refuses it outright), and no person types
one. Rather than strip it field by field, a request that carries one anywhere (path, query
string, form fields, JSON body, cookies, headers) is answered 400 here: in the API's error
shape under ``/api/``, as a short page elsewhere. Uploaded files are not inspected (an XLSX
is binary; the import reads and judges its own files).
"""

import json
from collections.abc import Iterable

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

NUL = "\x00"
_JSON_NUL_ESCAPES = (b"\\u0000", b"\\U0000")


def _texts_of(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts_of(item)


def _json_has_nul(body: bytes) -> bool:
    if b"\x00" in body:
        return True
    if not any(escape in body for escape in _JSON_NUL_ESCAPES):
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False  # not JSON: the endpoint's own parser says so
    return any(NUL in text for text in _texts_of(data))


def request_has_nul(request) -> bool:
    if NUL in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if any(NUL in key or NUL in value for key, value in request.GET.lists() for value in value):
        return True
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return True
    if any(NUL in str(value) for name, value in request.META.items() if name.startswith("HTTP_")):
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if content_type.startswith("application/json"):
        return _json_has_nul(request.body)
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return any(
            NUL in key or NUL in str(value)
            for key, values in request.POST.lists()
            for value in values
        )
    return False


class RejectNulMiddleware:
    """400 for any request carrying a NUL character (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refused = request_has_nul(request)
        except ValueError:  # a body Django itself cannot parse: the view's checks answer
            refused = False
        if not refused:
            return self.get_response(request)
        message = _("La petición contiene caracteres no válidos (un carácter nulo).")
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": "invalid_characters", "message": message}}, status=400
            )
        return HttpResponse(render_to_string("400.html", {"message": message}), status=400)
