"""Marks failed the import jobs whose worker died mid-run."""

from django.db import migrations

from apps.core.schedule import install_interval_tasks, uninstall_tasks

TASKS = [("Inventario: importaciones interrumpidas", "inventory.import_job_fail_stale", 15, "minutes")]


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_importjob_importjobrow"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: install_interval_tasks(apps, TASKS),
            lambda apps, schema_editor: uninstall_tasks(apps, [name for name, *_ in TASKS]),
        )
    ]
