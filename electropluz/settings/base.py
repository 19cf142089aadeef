"""ElectroPluz settings: everything from the environment, with safe defaults.

With nothing set, the project runs on SQLite files under ``var/``, a local-memory
cache and a Celery broker that needs no server. Production sets
``DJANGO_DEBUG=0``, ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` and points
``DATABASE_URL``, ``WAREHOUSE_URL``, ``REDIS_URL`` and ``CELERY_BROKER_URL`` at
real servers. ``.env.example`` lists every variable.
"""

import ipaddress
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("ELECTROPLUZ_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite files, dev mail and broker live here

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG=0) refuses to start "
            "without one; for development run `make env` or set DJANGO_DEBUG=1."
        )
    # Development only: never used when DEBUG is off.
    SECRET_KEY = "django-insecure-development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_celery_beat",
    "import_export",
    "ninja",
    "csp",
    "apps.core",
    "apps.accounts",
    "apps.inventory",
    "apps.coupons",
    "apps.cart",
    "apps.sales",
    "apps.reporting",
    "apps.observability",
    "etl",
    "apps.demo",
    "apps.ops",
]

MIDDLEWARE = [
    # First and last: django-prometheus times the whole stack and counts every response.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id, one JSON line per request and the system page's per-minute rollup.
    "apps.observability.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "electropluz.middleware.ApiErrorShapeMiddleware",
    "electropluz.unavailable.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.ShopLanguageMiddleware",
    "electropluz.input_guard.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "electropluz.urls"
WSGI_APPLICATION = "electropluz.wsgi.application"
ASGI_APPLICATION = "electropluz.asgi.application"

_template_loaders = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.shop",
                "apps.cart.context_processors.cart_badge",
            ],
            # Cached templates everywhere but in development, where edits must show.
            "loaders": _template_loaders
            if DEBUG
            else [("django.template.loaders.cached.Loader", _template_loaders)],
        },
    },
]

# --- Databases ---------------------------------------------------------------

_SQLITE_OPTIONS = {
    # Several web and Celery processes write to the same file: WAL lets readers
    # go on during a write, the busy timeout waits instead of failing, and
    # IMMEDIATE takes the write lock at BEGIN so two writers never deadlock.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
    ),
}
CONN_MAX_AGE = env.int("DJANGO_CONN_MAX_AGE", default=600)
# The same drivers wrapped by django-prometheus: query counts, durations and errors.
_METERED_ENGINES = {
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.mysql": "django_prometheus.db.backends.mysql",
}


def _database(url_var: str, default_file: str) -> dict:
    url = env.str(url_var, default="") or f"sqlite:///{VAR_DIR / default_file}"
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(_SQLITE_OPTIONS)
        config["CONN_MAX_AGE"] = 0
    else:
        # A new PostgreSQL connection costs ~17 ms: keep them, check them.
        config["CONN_MAX_AGE"] = CONN_MAX_AGE
        config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.db.backends.postgresql":
        # A database host that does not answer fails a request in seconds, not minutes.
        config.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
        )
    if config["ENGINE"] == "django.db.backends.mysql":
        config.setdefault("OPTIONS", {}).setdefault("charset", "utf8mb4")
    config["ENGINE"] = _METERED_ENGINES.get(config["ENGINE"], config["ENGINE"])
    return config


DATABASES = {
    "default": _database("DATABASE_URL", "electropluz.sqlite3"),
    "warehouse": _database("WAREHOUSE_URL", "warehouse.sqlite3"),
}
# A streaming replica of "default" for heavy reads (electropluz/routers.py); in tests it
# mirrors "default".
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL", "unused.sqlite3")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASES["default"].setdefault("TEST", {})
DATABASES["warehouse"].setdefault("TEST", {})
if not DATABASES["warehouse"]["ENGINE"].endswith(".sqlite3"):
    DATABASES["warehouse"]["TEST"].setdefault("NAME", f"test_{DATABASES['warehouse']['NAME']}")
DATABASE_ROUTERS = ["electropluz.routers.WarehouseRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")


def redis_cache(url: str) -> dict:
    """The cache is an accelerator, never a dependency: with the server down every read
    and write is a miss (IGNORE_EXCEPTIONS, logged), and short timeouts keep that a
    slowdown, not an outage. /readyz still reports the cache as down."""
    return {
        "BACKEND": "apps.observability.cache.RedisCache",  # django-redis, hits/misses counted
        "LOCATION": url,
        "KEY_PREFIX": "electropluz",
        "TIMEOUT": 300,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
            "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.5),
        },
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "apps.observability.cache.LocMemCache",  # hits/misses counted
            "LOCATION": "electropluz",
        }
    }
# Sessions live in the database (the cache only speeds their reads up), so losing the
# cache server signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Users and passwords -----------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in: django-axes first (refuses locked-out attempts), then the e-mail login
# (ModelBackend; the User model's USERNAME_FIELD is the e-mail, matched in any case).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute-force protection: 5 failures for one account from one address lock that
# pair out for 15 minutes (another try during the lock restarts it). Attempts are
# kept in the database, so every web process sees them; an administrator unlocks
# early in the admin (Axes: access attempts).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "apps.accounts.http.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the accounts activity log

# The proxies in front of the app (nginx's addresses or networks, comma-separated). From
# them X-Forwarded-For is believed: the client is the last address no trusted proxy
# added (apps.core.http.client_ip). Axes locks out by that same address; with nothing
# set, the peer address (REMOTE_ADDR) is the client.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
try:
    [ipaddress.ip_network(proxy, strict=False) for proxy in TRUSTED_PROXIES]
except ValueError as exc:
    raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {exc}") from exc
AXES_CLIENT_IP_CALLABLE = "apps.core.http.client_ip"

# --- Language, time, money ---------------------------------------------------

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("SHOP_TIME_ZONE", default="Europe/Madrid")
SHOP_TIME_ZONE = TIME_ZONE  # where the ETL and the reports cut days
SHOP_NAME = "ElectroPluz"
SHOP_CURRENCY = "EUR"
# Pricing: prices are shown VAT included; shipping is a flat rate, free over a threshold.
SHOP_VAT_RATE = Decimal(env.str("SHOP_VAT_RATE", default="0.21"))
SHOP_SHIPPING_FLAT = Decimal(env.str("SHOP_SHIPPING_FLAT", default="4.99"))
SHOP_FREE_SHIPPING_OVER = Decimal(env.str("SHOP_FREE_SHIPPING_OVER", default="50.00"))
SHOP_EXPRESS_SHIPPING = Decimal(env.str("SHOP_EXPRESS_SHIPPING", default="9.99"))
# The card gateway (a class with tokenize/charge/refund); the sandbox behaves like a real one.
SHOP_PAYMENT_PROVIDER = env.str(
    "SHOP_PAYMENT_PROVIDER", default="apps.sales.payments.SandboxProvider"
)
# Shown to customers who pay by bank transfer.
SHOP_TRANSFER_IBAN = env.str("SHOP_TRANSFER_IBAN", default="ES91 2100 0418 4502 0005 1332")
CART_MAX_PER_LINE = env.int("CART_MAX_PER_LINE", default=10)

# --- Static files ------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Backups -----------------------------------------------------------------
# `manage.py backup` (and the daily beat task) writes both databases and the media here:
# a mounted off-host volume in production. Kept: the newest backup of each of the last
# BACKUP_KEEP_DAILY days and of each of the last BACKUP_KEEP_WEEKLY weeks.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)
BACKUP_DATABASES = ["default", "warehouse"]
# Ledgers whose every row is checksummed when a backup is checked.
BACKUP_CHECKSUM_MODELS = ["sales.LedgerEntry", "inventory.StockMovement"]
# Each backup is restored into "<database name><suffix>" on the same server and compared.
BACKUP_SCRATCH_SUFFIX = env.str("BACKUP_SCRATCH_SUFFIX", default="_restorecheck")
BACKUP_PG_BIN_DIR = env.str(
    "BACKUP_PG_BIN_DIR", default=""
)  # pg_dump/pg_restore/psql; PATH if empty
BACKUP_PG_MAINTENANCE_DB = env.str("BACKUP_PG_MAINTENANCE_DB", default="postgres")
BACKUP_TIMEOUT = env.int("BACKUP_TIMEOUT", default=3600)
ADMINS = [("Operación", email) for email in env.list("DJANGO_ADMINS", default=[])]

# --- E-mail ------------------------------------------------------------------

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="ElectroPluz <tienda@localhost>")

# --- Celery ------------------------------------------------------------------
# Without CELERY_BROKER_URL the broker is kombu's filesystem transport under
# var/celery: a worker and beat run beside `runserver` with no server at all.
# It is a development default; production sets Redis or RabbitMQ.

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
# How long a worker's claim on an outbox message or a recorded e-mail lasts; the sweep
# (every 30 s) retries a claim whose worker died once it runs out: within a minute.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=30)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that does not answer must not hold a request for long (the outbox waits).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- ETL ---------------------------------------------------------------------
# Each run reads again this many minutes before its source's watermark (late commits);
# rows are read and written in batches of ETL_BATCH_SIZE records.
ETL_OVERLAP_MINUTES = env.int("ETL_OVERLAP_MINUTES", default=30)
ETL_BATCH_SIZE = env.int("ETL_BATCH_SIZE", default=2000)
# On PostgreSQL (shop and warehouse) the sales source copies its window into staging tables
# and validates and shapes it in SQL; off, it goes through the Python stages in batches.
ETL_SET_BASED = env.bool("ETL_SET_BASED", default=True)

# --- Security ----------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the cart script reads it to send the CSRF header
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Health probes come from the load balancer over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- API ---------------------------------------------------------------------

NINJA_PAGINATION_PER_PAGE = 24
NINJA_PAGINATION_MAX_LIMIT = 100

# --- Metrics and tracing -----------------------------------------------------
# /metrics answers a bearer token (METRICS_TOKEN) or a client address in
# METRICS_ALLOWED_NETWORKS (CIDRs; loopback by default only when debugging, since
# behind a proxy on the same host every visitor would come from loopback).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list(
    "METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"] if DEBUG else []
)
# Request latency buckets (seconds): 0.2 is a bound, so "p95 above 200 ms" is exact.
PROMETHEUS_LATENCY_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0,
    float("inf"),
)  # fmt: skip
# A Celery worker serves its task counters on this port (all its pool processes, from
# PROMETHEUS_MULTIPROC_DIR) when it is set; unset, it serves none.
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
CELERY_METRICS_ADDRESS = env.str("CELERY_METRICS_ADDRESS", default="127.0.0.1")
# OpenTelemetry: off unless an OTLP/HTTP endpoint is given (e.g. http://collector:4318).
OTEL_EXPORTER_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
OTEL_SERVICE_NAME = env.str("OTEL_SERVICE_NAME", default="electropluz")

# --- Logging -----------------------------------------------------------------
# JSON lines (python-json-logger), one format everywhere: every record carries the
# request id (and the task id in a task). The request lines (the ETL's logs source
# reads them) go to requests.log, everything else to app.log and the console. The files
# rotate by size; several web and worker processes write them safely (a lock file).

LOG_DIR = Path(env.str("ELECTROPLUZ_LOG_DIR", default=str(VAR_DIR / "log")))
LOG_DIR.mkdir(parents=True, exist_ok=True)
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
_LOG_MAX_BYTES = env.int("ELECTROPLUZ_LOG_MAX_BYTES", default=50 * 1024 * 1024)
_LOG_BACKUPS = env.int("ELECTROPLUZ_LOG_BACKUPS", default=10)


def _log_file(name: str) -> dict:
    return {
        "class": "concurrent_log_handler.ConcurrentRotatingFileHandler",
        "filename": str(LOG_DIR / name),
        "maxBytes": _LOG_MAX_BYTES,
        "backupCount": _LOG_BACKUPS,
        "encoding": "utf-8",
        "formatter": "json",
        "filters": ["context"],
    }


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "apps.observability.logs.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # UTC, ISO 8601
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["context"],
        },
        "app_file": _log_file("app.log"),
        "request_file": _log_file("requests.log"),
    },
    "root": {"handlers": ["console", "app_file"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "electropluz.requests": {
            "handlers": ["request_file"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
# The worker logs through the same configuration instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The system page's per-minute request counts, written by each process every few seconds.
REQUEST_ROLLUP_ENABLED = env.bool("REQUEST_ROLLUP_ENABLED", default=True)
REQUEST_ROLLUP_FLUSH_SECONDS = env.int("REQUEST_ROLLUP_FLUSH_SECONDS", default=10)
