"""Run the same work in many threads released together, on real database connections."""

import threading

import pytest
from django.db import close_old_connections, connection


def require_connections(workers: int) -> None:
    """Skip (saying why) when the server cannot take ``workers`` more connections."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        used = int(cursor.fetchone()[0])
    if limit - used < workers + 5:
        pytest.skip(
            f"PostgreSQL allows {limit} connections ({used} in use); this race needs {workers} "
            "more. Raise max_connections (CI sets 300)."
        )


def race(workers: int, work, *, timeout: float = 120) -> list:
    """Run ``work(i)`` in ``workers`` threads that start on one barrier; return each outcome
    (its return value or the exception it raised)."""
    barrier = threading.Barrier(workers)
    outcomes: list = [None] * workers

    def run(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = work(i)
        except Exception as exc:  # collected and asserted on by the test
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock?)"
    close_old_connections()
    return outcomes
