"""Celery tasks: one per source, on the beat schedule (installed by ``etl`` migration 0002,
editable in the admin). A failure is retried with back-off; a run skipped because another
run of the source holds its lock is not (the next one picks the window up)."""

from celery import shared_task

from . import services

RETRY = {
    "autoretry_for": (Exception,),
    "dont_autoretry_for": (services.EtlError,),
    "retry_backoff": 60,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 3,
}


def _run(source: str) -> dict:
    (summary,) = services.etl_run(source=source)
    if summary.status == "failed":
        raise RuntimeError(f"etl {source} run {summary.run_id} failed: {summary.error}")
    return {"run_id": summary.run_id, "status": summary.status, "loaded": summary.loaded}


@shared_task(name="etl.run_sales", **RETRY)
def run_sales() -> dict:
    return _run("sales")


@shared_task(name="etl.run_inventory", **RETRY)
def run_inventory() -> dict:
    return _run("inventory")


@shared_task(name="etl.run_users", **RETRY)
def run_users() -> dict:
    return _run("users")


@shared_task(name="etl.run_incremental")
def run_incremental() -> list[dict]:
    """Every source since its watermark, in order (the dashboards' "refresh now"). Not
    retried: a source another run holds is skipped, and the next run picks it up."""
    return [
        {"run_id": s.run_id, "source": s.source, "status": s.status, "loaded": s.loaded}
        for s in services.etl_run()
    ]
