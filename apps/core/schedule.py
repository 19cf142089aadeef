"""Helpers for the data migrations that install periodic tasks in django-celery-beat."""


def install_interval_tasks(apps, tasks: list[tuple[str, str, int, str]]) -> None:
    """``tasks``: (name, task, every, period) — period is "seconds", "minutes" or "hours"."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in tasks:
        schedule, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": schedule, "enabled": True}
        )


def uninstall_tasks(apps, names: list[str]) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


def install_daily_tasks(apps, tasks: list[tuple[str, str, int, int]], timezone: str) -> None:
    """``tasks``: (name, task, hour, minute), run once a day at that time in ``timezone``."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, hour, minute in tasks:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=str(minute),
            hour=str(hour),
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=timezone,
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": schedule, "enabled": True}
        )
