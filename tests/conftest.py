import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Every database test may read the warehouse too (the dashboards do, whatever page a
    test opens); tests that need PostgreSQL, or that race, skip elsewhere with the reason."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and "databases" not in marker.kwargs:
            item.add_marker(
                pytest.mark.django_db(
                    *marker.args, **marker.kwargs, databases=["default", "warehouse"]
                ),
                append=False,
            )
    vendor = connection.vendor
    if vendor == "postgresql":
        return
    for item in items:
        if "postgres" in item.keywords or "race" in item.keywords:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"needs PostgreSQL (running on {vendor}); "
                    "SQLite has no row locks, a race there proves nothing"
                )
            )


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the local-memory cache outlives a test)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _shop_language():
    """Each test starts in the shop's language (a request in English leaves its thread so)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
