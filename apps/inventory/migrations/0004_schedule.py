"""Installs the hourly best-seller ranking in the beat schedule."""

from django.db import migrations

from apps.core.schedule import install_interval_tasks, uninstall_tasks

TASKS = [("Inventario: ranking de más vendidos", "inventory.product_sales_rank_refresh", 1, "hours")]


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_manager_permissions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: install_interval_tasks(apps, TASKS),
            lambda apps, schema_editor: uninstall_tasks(apps, [name for name, *_ in TASKS]),
        )
    ]
