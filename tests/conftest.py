import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Tests that need PostgreSQL, or that race, skip elsewhere with the reason said."""
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
