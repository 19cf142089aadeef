"""Retries refunds whose payout did not run after their commit (a process died)."""

from django.db import migrations

from apps.core.schedule import install_interval_tasks, uninstall_tasks

TASKS = [("Ventas: reintentar reembolsos pendientes", "sales.refund_retry_pending", 5, "minutes")]


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0004_refund"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: install_interval_tasks(apps, TASKS),
            lambda apps, schema_editor: uninstall_tasks(apps, [name for name, *_ in TASKS]),
        )
    ]
