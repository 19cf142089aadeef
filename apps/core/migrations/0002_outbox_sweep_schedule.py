"""Installs the outbox sweep in the beat schedule (editable afterwards in the admin)."""

from django.db import migrations

from apps.core.schedule import install_interval_tasks, uninstall_tasks

TASKS = [("Outbox: entregar eventos pendientes", "core.outbox_sweep", 30, "seconds")]


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: install_interval_tasks(apps, TASKS),
            lambda apps, schema_editor: uninstall_tasks(apps, [name for name, *_ in TASKS]),
        )
    ]
