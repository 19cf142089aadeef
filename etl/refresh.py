"""The one thing the dashboards may ask of the ETL besides reading: "refresh now".

It hands an incremental run of every source to a Celery worker, by the task's name (this
module imports neither the task nor the pipeline, so the dashboards that import it stay
apart from the shop's apps), and returns the id of the latest run before it: the runs
after that id are the refresh's progress (``etl.selectors.run_list``).
"""

import logging

from celery import current_app

from . import selectors

logger = logging.getLogger("etl")

REFRESH_TASK = "etl.run_incremental"


class RefreshUnavailable(Exception):
    """The task could not be handed to a worker (the broker is away)."""


def etl_refresh_request() -> int:
    """Queue an incremental run of every source now; returns the latest run id before it."""
    after = selectors.run_list(limit=1)
    after_id = after[0].id if after else 0
    try:
        with current_app.pool.acquire(block=True, timeout=1) as connection:
            connection.ensure_connection(max_retries=0, timeout=1)
            current_app.send_task(REFRESH_TASK, connection=connection, retry=False)
    except Exception as error:
        logger.warning("etl refresh not queued: %s", error)
        raise RefreshUnavailable from error
    return after_id
