"""Grants the manager and administrator roles the order permissions."""

from django.db import migrations

from apps.core.permissions_migration import grant_model_permissions


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_schedule"), ("accounts", "0002_roles")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant_model_permissions(
                apps,
                schema_editor,
                app_label="sales",
                models=("order", "orderline", "orderevent", "payment", "ledgerentry"),
            ),
            migrations.RunPython.noop,
        )
    ]
