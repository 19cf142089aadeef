"""Accounts' business errors: a stable code each and a message a customer can read."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ConflictError, InvalidInputError, NotFoundError


class EmailTakenError(ConflictError):
    code = "email_taken"
    default_message = _("Ya existe una cuenta con este correo electrónico.")


class InvalidPasswordError(InvalidInputError):
    code = "invalid_password"
    default_message = _("La contraseña no es válida.")


class InvalidActivityError(InvalidInputError):
    code = "invalid_activity"
    default_message = _("El tipo de actividad no es válido.")


class UserNotFoundError(NotFoundError):
    code = "user_not_found"
    default_message = _("No existe ese usuario.")


class AddressNotFoundError(NotFoundError):
    code = "address_not_found"
    default_message = _("No encontramos esa dirección.")


class ApiTokenNotFoundError(NotFoundError):
    code = "api_token_not_found"
    default_message = _("No encontramos ese token.")
