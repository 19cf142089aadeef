"""Cache backends that count gets, hits and misses (django-prometheus's series).

django-prometheus ships such backends, but its local-memory one answers the default for
a cached falsy value (0, "", []) and neither counts a Redis that is down apart from a
miss. These count with a sentinel, so a stored 0 is a hit, and a Redis outage is a
failure as well as the miss the shop sees (``IGNORE_EXCEPTIONS``).
"""

from django.core.cache.backends import locmem
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)
from django_redis import cache as redis_cache

_MISS = object()


def _count(backend: str, value, default):
    django_cache_get_total.labels(backend=backend).inc()
    if value is _MISS:
        django_cache_misses_total.labels(backend=backend).inc()
        return default
    django_cache_hits_total.labels(backend=backend).inc()
    return value


def _series_start(backend: str) -> None:
    """Every series exists from the start at 0, so rate() and ratios have something to read."""
    for counter in (
        django_cache_get_total,
        django_cache_hits_total,
        django_cache_misses_total,
        django_cache_get_fail_total,
    ):
        counter.labels(backend=backend)


class LocMemCache(locmem.LocMemCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _series_start("locmem")

    def get(self, key, default=None, version=None):
        return _count("locmem", super().get(key, _MISS, version), default)


class RedisCache(redis_cache.RedisCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _series_start("redis")

    def get(self, key, default=None, version=None, client=None):
        value = self._get(key, _MISS, version, client)
        if value is redis_cache.CONNECTION_INTERRUPTED:
            django_cache_get_fail_total.labels(backend="redis").inc()
            value = _MISS
        return _count("redis", value, default)
