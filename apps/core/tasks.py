from celery import shared_task

from . import services


@shared_task(name="core.outbox_deliver", ignore_result=True)
def outbox_deliver(message_id: str) -> None:
    services.outbox_deliver(message_id=message_id)


@shared_task(name="core.outbox_sweep", ignore_result=True)
def outbox_sweep() -> int:
    return services.outbox_sweep()
