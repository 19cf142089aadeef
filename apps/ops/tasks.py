from celery import shared_task

from . import services


@shared_task(name="ops.backup_daily", ignore_result=True, acks_late=False)
def backup_daily() -> str:
    """Acknowledged at once: a backup killed half-way is not started again by the broker
    (its unfinished folder is pruned a day later); tomorrow's run is the retry."""
    return services.backup_create().path
