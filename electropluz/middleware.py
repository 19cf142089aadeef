from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

_MESSAGES = {
    400: ("bad_request", _("Petición incorrecta.")),
    401: ("not_authenticated", _("Inicie sesión para continuar.")),
    403: ("permission_denied", _("No tiene permiso para hacer esto.")),
    404: ("not_found", _("No encontrado.")),
    405: ("method_not_allowed", _("Método no permitido.")),
    500: ("server_error", _("Error interno del servidor.")),
}


class ApiErrorShapeMiddleware:
    """Answers in the API's one error shape where Django itself answered under /api/.

    Unknown routes (404), wrong methods (405), CSRF refusals (403) and server
    errors come from Django's own handlers as HTML or empty bodies; API clients
    get ``{"error": {"code", "message"}}`` like every other error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _MESSAGES.get(response.status_code, ("http_error", _("Error.")))
            replacement = JsonResponse(
                {"error": {"code": code, "message": str(message)}}, status=response.status_code
            )
            if "Allow" in response:
                replacement["Allow"] = response["Allow"]
            return replacement
        return response
