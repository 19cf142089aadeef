"""Installs sales' periodic tasks in the beat schedule (editable afterwards in the admin)."""

from django.db import migrations

from apps.core.schedule import install_interval_tasks, uninstall_tasks

TASKS = [
    ("Ventas: cancelar pedidos con tarjeta sin cobrar", "sales.order_expire_unpaid", 5, "minutes"),
    ("Ventas: purgar claves de idempotencia caducadas", "sales.idempotency_purge", 1, "hours"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: install_interval_tasks(apps, TASKS),
            lambda apps, schema_editor: uninstall_tasks(apps, [name for name, *_ in TASKS]),
        )
    ]
