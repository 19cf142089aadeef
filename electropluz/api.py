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

from apps.accounts import selectors as accounts_selectors
from apps.accounts import services as accounts_services
from apps.accounts.api import router as accounts_router
from apps.cart.api import router as cart_router
from apps.core.errors import ApplicationError
from apps.core.permissions import DASHBOARD_PERMISSION
from apps.coupons.api import router as coupons_router
from apps.inventory.api import router as inventory_router
from apps.sales.api import router as sales_router

from . import auth, unavailable

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="ElectroPluz API",
    version="1",
    description="Catálogo, carrito, pedidos e informes de ElectroPluz.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/", inventory_router)
api.add_router("/", cart_router)
api.add_router("/", sales_router)
api.add_router("/me", accounts_router)
api.add_router("/coupons", coupons_router)

# electropluz.auth imports no app (the routers import it); it gets what it needs here.
auth.configure(
    token_owner=lambda token: accounts_selectors.api_token_find(token=token),
    token_used=lambda token_id: accounts_services.api_token_mark_used(token_id=token_id),
    manager_permission=DASHBOARD_PERMISSION,
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
    if unavailable.is_outage(exc):
        logger.warning("database unavailable (%s %s): %s", request.method, request.path, exc)
        return unavailable.unavailable_response(request)
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return error_response(500, "server_error", _("Error interno del servidor."))
