from celery import shared_task

from . import services


@shared_task(name="sales.order_expire_unpaid", ignore_result=True)
def order_expire_unpaid() -> int:
    return services.order_expire_unpaid()


@shared_task(name="sales.idempotency_purge", ignore_result=True)
def idempotency_purge() -> int:
    return services.idempotency_purge()


@shared_task(name="sales.refund_retry_pending", ignore_result=True)
def refund_retry_pending() -> int:
    return services.refund_retry_pending()
