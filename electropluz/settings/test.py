"""Test settings: the base settings, with what makes a test run fast and self-contained.

The databases still come from DATABASE_URL / WAREHOUSE_URL, so the same suite
runs on SQLite by default and on PostgreSQL in CI.
"""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-" + "x" * 40)
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault(  # the suite's own log files, apart from a development server's
    "ELECTROPLUZ_LOG_DIR",
    str(
        Path(os.environ.get("ELECTROPLUZ_VAR_DIR") or Path(__file__).parents[2] / "var")
        / "test-log"
    ),
)

from .base import *  # noqa: F403
from .base import STORAGES, VAR_DIR

# Argon2 is the production hasher; the test suite hashes thousands of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CACHES = {"default": {"BACKEND": "apps.observability.cache.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"

# django-axes stays on: the lock-out tests need it. client.force_login() skips
# authentication and works as usual; client.login() passes no request, which axes
# refuses, so tests sign in with force_login() or by posting the sign-in form.
AXES_ENABLED = True

# Tasks run in the test process; tests that exercise delivery after commit use
# django_capture_on_commit_callbacks(execute=True).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"

# The per-minute request rollup writes to the database every few seconds; tests that
# look at it turn it on (and flush it) themselves, so query counts elsewhere stay exact.
REQUEST_ROLLUP_ENABLED = False
