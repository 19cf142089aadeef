"""Creates the role groups. Each app's later migrations grant the manager group its permissions."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("manager", "administrator")


def install(apps, schema_editor):
    create_permissions(
        global_apps.get_app_config("accounts"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    dashboard = Permission.objects.get(content_type__app_label="accounts", codename="access_dashboard")
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(dashboard)


def uninstall(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
