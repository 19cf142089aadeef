"""Test settings: the base settings, with what makes a test run fast and self-contained.

The databases still come from DATABASE_URL / WAREHOUSE_URL, so the same suite
runs on SQLite by default and on PostgreSQL in CI.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-" + "x" * 40)
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")

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
