"""Installs the ETL's periodic tasks in the beat schedule (editable afterwards in the admin).

The schedule lives with django-celery-beat on ``default``; the hint sends this one
operation there, while the ETL's tables stay on the warehouse. The two helpers repeat
``apps.core.schedule`` (etl may import only the apps' selectors).
"""

from django.db import migrations

TASKS = [
    ("ETL: ventas", "etl.run_sales", 6, "hours"),
    ("ETL: inventario", "etl.run_inventory", 24, "hours"),
    ("ETL: clientes", "etl.run_users", 24, "hours"),
]


def install_interval_tasks(apps, tasks):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in tasks:
        schedule, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": schedule, "enabled": True}
        )


def uninstall_tasks(apps, names):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("etl", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: install_interval_tasks(apps, TASKS),
            lambda apps, schema_editor: uninstall_tasks(apps, [name for name, *_ in TASKS]),
            hints={"target_db": "default"},
        )
    ]
