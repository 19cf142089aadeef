"""The one NinjaAPI, mounted at /api/v1/. Each app adds its router here.

Every error leaves the API in one shape, with a 4xx (or 500 for a bug):

    {"error": {"code": "out_of_stock", "message": "…", "details": …}}

"Not found" is said by the code that looks the thing up (``NotFoundError`` from a
service or selector, ``Http404`` from an endpoint). A stray ``ObjectDoesNotExist``
is a bug (a ``.get()`` that should not fail) and answers 500, which is logged.
"""

import logging
from http.client import responses

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema

from apps.accounts import api as accounts_api
from apps.cart import api as cart_api
from apps.core.errors import ApplicationError
from apps.core.openapi import ErrorOut
from apps.coupons import api as coupons_api
from apps.inventory import api as inventory_api
from apps.reporting import api as reporting_api
from apps.sales import api as sales_api

from . import unavailable
from .auth import TokenAuth, manager_auth, session_auth

logger = logging.getLogger(__name__)

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _error_statuses(operation, path: str) -> set[int]:
    """The 4xx any operation of this kind can answer, whatever it does.

    400 a NUL character (electropluz.input_guard), on every route; 401 nobody signed in,
    unless the route also serves anonymous visitors; 403 a missing manager role, or on an
    unsafe method a missing CSRF token or a read-only token; 404 a path naming nothing;
    422 parameters or a body that do not validate.
    """
    statuses = {400}
    auth = operation.auth_callbacks or []
    if auth and not any(getattr(a, "allows_anonymous", False) for a in auth):
        statuses.add(401)
    unsafe = bool(UNSAFE_METHODS & set(operation.methods))
    if auth and (unsafe or any(getattr(a, "require_manager", False) for a in auth)):
        statuses.add(403)
    if "{" in path:
        statuses.add(404)
    if operation.models:
        statuses.add(422)
    return statuses


class ShopSchema(OpenAPISchema):
    """The spec, with every error an operation can answer documented in the error shape."""

    def responses(self, operation) -> dict:
        result = super().responses(operation)
        error = self._create_schema_from_model(
            operation._create_response_model(ErrorOut), mode="serialization"
        )[0]
        for status, response in result.items():
            content = response.get("content", {}).get("application/json")
            if 400 <= status < 500 and content and "$ref" not in content["schema"]:
                content["schema"] = error  # declared as a bare dict
        for status in _error_statuses(operation, operation.path) - set(result):
            result[status] = {
                "description": responses.get(status, "Error"),
                "content": {"application/json": {"schema": error}},
            }
        return dict(sorted(result.items()))


class ShopAPI(NinjaAPI):
    """The NinjaAPI whose spec documents every error answer (``ShopSchema``)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ShopSchema(self, path_prefix)


api = ShopAPI(
    title="ElectroPluz API",
    version="1",
    description="Catálogo, carrito, pedidos e informes de ElectroPluz.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

# Each app's routers declare no authentication; it is decided here, where they are mounted.
api.add_router("/", inventory_api.router)  # the catalogue: anyone
api.add_router("/manager", inventory_api.manager_router, auth=manager_auth)
api.add_router("/", cart_api.customer_router, auth=[TokenAuth(), cart_api.VisitorAuth()])
api.add_router("/", sales_api.customer_router, auth=session_auth)
api.add_router("/", sales_api.manager_router, auth=manager_auth)
api.add_router("/me", accounts_api.customer_router, auth=session_auth)
api.add_router("/coupons", coupons_api.manager_router, auth=manager_auth)
api.add_router("/reports", reporting_api.manager_router, auth=manager_auth)


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
