"""Reads that may go to the read replica.

``with read_replica():`` marks the heavy read-only queries inside it (the ETL's
extraction, large reports) as fit for the replica (``DATABASE_REPLICA_URL``). The
project's database router decides: the replica when it is configured and answering,
and never inside a write transaction on the primary (such reads must see their own
writes); otherwise the primary.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_requested: ContextVar[bool] = ContextVar("read_replica", default=False)


@contextmanager
def read_replica() -> Iterator[None]:
    token = _requested.set(True)
    try:
        yield
    finally:
        _requested.reset(token)


def replica_requested() -> bool:
    return _requested.get()
