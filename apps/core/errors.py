"""The one base of every business error.

Each app subclasses these next to its services with a stable ``code`` and a
message a customer can read. The API turns them into the one JSON error shape
with ``status``; pages show ``message``.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code: str = "application_error"
    status: int = 400
    default_message: str = _("No se pudo completar la operación.")

    def __init__(self, message: str | None = None, *, code: str | None = None, details: Any = None):
        self.message = str(message or self.default_message)
        if code:
            self.code = code
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return error


class InvalidInputError(ApplicationError):
    code = "invalid"
    status = 422
    default_message = _("Los datos enviados no son válidos.")


class NotFoundError(ApplicationError):
    code = "not_found"
    status = 404
    default_message = _("No encontrado.")


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status = 403
    default_message = _("No tiene permiso para hacer esto.")


class ConflictError(ApplicationError):
    code = "conflict"
    status = 409
    default_message = _("La operación entra en conflicto con el estado actual.")
