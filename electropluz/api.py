"""The one NinjaAPI, mounted at /api/v1/. Each app adds its router here.

Every error leaves the API in one shape, with a 4xx (or 500 for a bug):

    {"error": {"code": "out_of_stock", "message": "…", "details": …}}
"""

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from apps.core.errors import ApplicationError

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="ElectroPluz API",
    version="1",
    description="Catálogo, carrito, pedidos e informes de ElectroPluz.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(status: int, code: str, message: str, details=None) -> JsonResponse:
    error = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return JsonResponse({"error": error}, status=status)


@api.exception_handler(ApplicationError)
def _application_error(request, exc: ApplicationError):
    return JsonResponse({"error": exc.as_dict()}, status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    details = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return error_response(422, "invalid", _("Los datos enviados no son válidos."), details)


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc):
    return error_response(401, "not_authenticated", _("Inicie sesión para continuar."))


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    return error_response(403, "permission_denied", _("No tiene permiso para hacer esto."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, "not_found", _("No encontrado."))


@api.exception_handler(ObjectDoesNotExist)
def _object_not_found(request, exc):
    return error_response(404, "not_found", _("No encontrado."))


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return error_response(429, "throttled", _("Demasiadas peticiones; inténtelo más tarde."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error_response(exc.status_code, "http_error", str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return error_response(500, "server_error", _("Error interno del servidor."))
