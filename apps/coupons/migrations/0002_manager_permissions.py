"""Grants the manager and administrator roles the coupons permissions."""

from django.db import migrations

from apps.core.permissions_migration import grant_model_permissions


class Migration(migrations.Migration):
    dependencies = [("coupons", "0001_initial"), ("accounts", "0002_roles")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant_model_permissions(
                apps,
                schema_editor,
                app_label="coupons",
                models=("coupon", "couponredemption",),
            ),
            migrations.RunPython.noop,
        )
    ]
