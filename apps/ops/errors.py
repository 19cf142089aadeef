from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError


class BackupInvalid(ApplicationError):
    code = "backup_invalid"
    default_message = _("La copia de seguridad no es válida o está incompleta.")
