"""The daily backup, at 03:30 shop time (editable in the admin: Periodic tasks)."""

from django.conf import settings
from django.db import migrations

from apps.core.schedule import install_daily_tasks, uninstall_tasks

TASKS = [("Operación: copia de seguridad diaria", "ops.backup_daily", 3, 30)]


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: install_daily_tasks(apps, TASKS, settings.TIME_ZONE),
            lambda apps, schema_editor: uninstall_tasks(apps, [name for name, *_ in TASKS]),
        )
    ]
