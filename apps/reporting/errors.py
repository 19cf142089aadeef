"""The reporting app's errors: a page shows the message, the API answers it as a 422."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import InvalidInputError


class ReportInputError(InvalidInputError):
    code = "invalid_report_input"
    default_message = _("Los parámetros del informe no son válidos.")
