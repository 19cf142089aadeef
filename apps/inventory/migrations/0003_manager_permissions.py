"""Grants the manager and administrator roles the inventory permissions."""

from django.db import migrations

from apps.core.permissions_migration import grant_model_permissions


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_search_indexes"), ("accounts", "0002_roles")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant_model_permissions(
                apps,
                schema_editor,
                app_label="inventory",
                models=("category", "brand", "product", "variant", "productimage", "stockmovement",),
            ),
            migrations.RunPython.noop,
        )
    ]
