"""While the database is unreachable the site answers a friendly 503 page (no traceback,
``Retry-After``), and recovers by itself: persistent connections are health-checked
(``CONN_HEALTH_CHECKS``) and a broken one is dropped at the end of the request, so the
first request after the database returns opens a new connection."""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)
UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = "5"


def is_outage(exc: BaseException | None) -> bool:
    """A lost or refused connection, not a bad query (those stay 500s: they are bugs)."""
    while exc is not None:
        if isinstance(exc, UNAVAILABLE):
            return True
        if isinstance(exc, DatabaseError):
            return False
        exc = exc.__cause__ or exc.__context__
    return False


def unavailable_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "error": {
                    "code": "service_unavailable",
                    "message": "El servicio no está disponible. Vuelva a intentarlo en unos segundos.",
                }
            },
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage raised by a view into the 503 page, logged in one line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            logger.warning(
                "database unavailable (%s %s): %s", request.method, request.path, exception
            )
            return unavailable_response(request)
        return None


def server_error(request, *args, **kwargs):
    """handler500: an outage met outside a view (sessions, authentication) is a 503 too."""
    if is_outage(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request, *args, **kwargs)
