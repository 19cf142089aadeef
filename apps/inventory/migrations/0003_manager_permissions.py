"""Grants the manager and administrator roles the catalogue and stock permissions."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("category", "brand", "product", "variant", "productimage", "stockmovement")


def grant(apps, schema_editor):
    create_permissions(
        global_apps.get_app_config("inventory"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="inventory", content_type__model__in=MODELS)
    for group in Group.objects.filter(name__in=("manager", "administrator")):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_search_indexes"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
