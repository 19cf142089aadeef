"""For data migrations: grant the manager and administrator roles an app's model permissions."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

ROLES = ("manager", "administrator")


def grant_model_permissions(
    apps, schema_editor, *, app_label: str, models: tuple[str, ...]
) -> None:
    create_permissions(
        global_apps.get_app_config(app_label),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, content_type__model__in=models
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)
