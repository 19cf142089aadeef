"""Writes of the observability app: the per-minute request rollup."""

import dataclasses
from datetime import datetime

from .models import RequestMinute


@dataclasses.dataclass
class MinuteCounts:
    minute: datetime
    group: str
    process: str
    requests: int
    client_errors: int
    server_errors: int
    duration_ms_total: float
    buckets: list[int]


def request_minutes_record(*, rows: list[MinuteCounts]) -> None:
    RequestMinute.objects.bulk_create([RequestMinute(**dataclasses.asdict(row)) for row in rows])


def request_minutes_prune(*, before: datetime) -> int:
    deleted, _ = RequestMinute.objects.filter(minute__lt=before).delete()
    return deleted
