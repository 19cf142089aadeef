from celery import shared_task

from . import services


@shared_task(name="inventory.product_sales_rank_refresh", ignore_result=True)
def product_sales_rank_refresh() -> int:
    return services.product_sales_rank_refresh()


@shared_task(name="inventory.import_job_run", acks_late=True, ignore_result=True)
def import_job_run(job_id: int, apply: bool) -> None:
    """Run a catalogue import job; a job already running, done or failed is left alone."""
    services.import_job_run(job_id=job_id, apply=apply)


@shared_task(name="inventory.import_job_fail_stale", ignore_result=True)
def import_job_fail_stale() -> int:
    return services.import_job_fail_stale()
