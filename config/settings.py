"""Settings for Ashyq Auyl, driven by environment variables.

With nothing set, the site runs for local use: DEBUG on, an SQLite file, e-mail printed to the
console. Production sets DEBUG=false and at least SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; see
README.md ("Production").
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG=false) needs a long random SECRET_KEY in "
            "the environment; see README.md, 'Production'."
        )
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Public address of the site, used in e-mails, feeds and printed notices (QR codes) where no
# request is at hand (the notification sender runs from cron).
# `check --deploy` refuses a production configuration without an https SITE_URL.
SITE_URL_CONFIGURED = bool(env("SITE_URL"))
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_filters",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "projects",
    "hearings",
    "disclosures",
    "portal",
]

MIDDLEWARE = [
    # First: X-Forwarded-Proto only from TRUSTED_PROXIES (core/proxies.py).
    "core.proxies.ForwardedProtoMiddleware",
    # First: a load balancer's /healthz and /readyz, over http and with any Host (portal/probes.py)
    "portal.probes.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: a session saved at the end of a request is a write (core/db_router.py).
    "core.db_router.ReplicaRoutingMiddleware",
    # 304s from the ETag and Last-Modified public pages get from their cache scopes
    # (core/caching.py), and from a hash of the content for every other page.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Kept public pages, served before the rest of the middleware and the view (core/caching.py).
    "core.caching.PageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.request_limits.BodySizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

# Forms render through TEMPLATES, so templates/django/forms/ may lighten a built-in widget.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite file for local use; PostgreSQL (through psycopg2) in production and in the test suite.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction mode a server-side cursor (the streamed exports) cannot outlive
# its transaction: DB_DISABLE_SERVER_SIDE_CURSORS=true makes Django fetch in chunks instead.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: it compiled each of a busy district's aggregates for half a second, longer than
    # the query ran. A web page's queries are short; JIT pays off only for long reports.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A read replica (DATABASE_REPLICA_URL, streaming replication of the primary) serves the reads
# of residents' pages; writes, and every read of a request that wrote or that comes from someone
# signed in or just after a write, go to the primary (core/db_router.py). Without it,
# everything uses "default".
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # A replica that does not answer is given up on quickly (libpq's least is 2 s) and its reads
    # go to the primary (core/db_router.py).
    DATABASES["replica"].setdefault("OPTIONS", {}).update(
        options="-c jit=off", connect_timeout=env_int("REPLICA_CONNECT_TIMEOUT", 2)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"][
        "DISABLE_SERVER_SIDE_CURSORS"
    ]
DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"]
# Seconds after a write during which the same browser reads from the primary (replication lag).
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 10)
# Residents' reads leave the replica while it does not answer or its replay lags more than
# REPLICA_MAX_LAG_SECONDS; each process asks it at most every REPLICA_CHECK_SECONDS.
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes, and core/signin.py): after AXES_FAILURE_LIMIT wrong passwords
# for one e-mail from one address and browser, that combination is locked for AXES_COOLOFF_TIME;
# past the same number of failures on an account from anywhere, each further try waits 2, 4, 8 ...
# seconds, at most SIGNIN_MAX_DELAY_SECONDS. Someone at an official's address cannot lock the
# official out, and a completed password reset clears the account's failures. The lockout page
# is the same whether the account exists or not, and a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address", "user_agent"]]
SIGNIN_MAX_DELAY_SECONDS = env_int("SIGNIN_MAX_DELAY_SECONDS", 60)
# Password reset e-mails an hour, per account and per address (core/forms.py).
PASSWORD_RESET_PER_ACCOUNT = env_int("PASSWORD_RESET_PER_ACCOUNT", 3)
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 20)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "core.proxies.client_ip"
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "home"

# Languages: Kazakh and Russian are the main ones, English the third. URLs carry the language
# (/kk/, /ru/, /en/); a first visit without one follows the browser, else Kazakh.
LANGUAGE_CODE = "kk"
LANGUAGES = [
    ("kk", _("Kazakh")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True

# Store UTC, show Kazakhstan time: the whole country is on UTC+5 since 1 March 2024.
USE_TZ = True
TIME_ZONE = "Asia/Almaty"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# Uploaded files are served by portal.views.media_file after a visibility check, through
# django-sendfile2: Django streams them itself unless MEDIA_ACCEL_REDIRECT is on, in which case
# nginx sends them from an `internal` location at MEDIA_ACCEL_URL (see README, "Production").
SENDFILE_ROOT = str(MEDIA_ROOT)
if env_bool("MEDIA_ACCEL_REDIRECT", False):
    SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    SENDFILE_URL = env("MEDIA_ACCEL_URL", "/protected-media")
else:
    SENDFILE_BACKEND = "django_sendfile.backends.simple"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Source maps are fetched by browser developer tools only: WhiteNoise does not compress them.
# They are half the bytes under STATIC_ROOT (Swagger UI's and ReDoc's), and compressing them with
# brotli took half of `collectstatic`'s time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# Uploads in an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set (django-storages), so
# that every app server sees every upload. The bucket stays private: /media/<name> checks the
# visibility first, then redirects to a URL signed for MEDIA_SIGNED_URL_SECONDS. Credentials come
# from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role), as boto3 reads them.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "core.storage.PrivateMediaStorage"}
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME") or None
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE") or None
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_DEFAULT_ACL = None  # the bucket's own policy: private
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = env_int("MEDIA_SIGNED_URL_SECONDS", 300)
    AWS_S3_FILE_OVERWRITE = False  # names are random already; never replace another's file
MEDIA_SIGNED_URL_SECONDS = env_int("MEDIA_SIGNED_URL_SECONDS", 300)
# Where browsers fetch uploads from after /media/'s redirect: the bucket's origin, which the
# Content-Security-Policy must allow for images (MEDIA_CSP_ORIGINS overrides the guess).
MEDIA_CSP_ORIGINS = env_list("MEDIA_CSP_ORIGINS")
if AWS_STORAGE_BUCKET_NAME and not MEDIA_CSP_ORIGINS:
    if AWS_S3_ENDPOINT_URL:
        _endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
        _host = _endpoint.netloc
        if AWS_S3_ADDRESSING_STYLE == "virtual":
            _host = f"{AWS_STORAGE_BUCKET_NAME}.{_host}"
        MEDIA_CSP_ORIGINS = [f"{_endpoint.scheme}://{_host}"]
    else:
        MEDIA_CSP_ORIGINS = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if AWS_S3_REGION_NAME:
            MEDIA_CSP_ORIGINS.append(
                f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com"
            )

# The bulk downloads at /data/ (portal/downloads.py) are rebuilt by the outbox worker when the
# content changed, at most once per OPEN_DATA_MIN_AGE seconds; the worker looks every
# OPEN_DATA_CHECK_SECONDS.
OPEN_DATA_MIN_AGE = env_int("OPEN_DATA_MIN_AGE", 300)
OPEN_DATA_CHECK_SECONDS = env_int("OPEN_DATA_CHECK_SECONDS", 60)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ashyq-auyl",
    },
    # Whole pages for residents (about 40 KB each), three entries a page (the page, Django's
    # list of its headers, its address's versions: core/caching.py): 500 pages, about 20 MB per
    # process at most. Apart from "default", so that pages crowding out each other never evict
    # a rate-limit counter.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ashyq-auyl-pages",
        "OPTIONS": {"MAX_ENTRIES": 1500},
    },
    # Each process's copy of the cache scopes' versions, trusted for a second
    # (core/caching.py VERSIONS_SECONDS): a kept page is served without asking "shared".
    "versions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ashyq-auyl-versions",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
    # The cache scopes' versions (core/caching.py) and expensive figures, shared by all the
    # server processes of a machine (files). The files are pickles: the folder is this
    # instance's own (under the project, created 0700) and one that another user owns or may
    # write to is refused (core/file_cache.py).
    "shared": {
        "BACKEND": "core.file_cache.PrivateFileBasedCache",
        "LOCATION": env("SHARED_CACHE_DIR", str(BASE_DIR / "var" / "shared-cache")),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# Several app servers (README, "Running on several machines"): with REDIS_URL set, rate limits,
# the cache scopes' versions and the figures ("shared": computed once per change, not once per
# process) live in Redis, so every app server counts, invalidates and reuses the
# same. Sign-in throttling (django-axes) and sessions are in the database already. Whole pages
# ("pages") stay in each process's memory on purpose: they are keyed by their scopes' versions,
# which live in Redis, so a page kept by one server is stale for another at most as long as that
# one trusts its copy of the versions ("versions", a second); keeping them local spares a 40 KB
# network round trip on every warm page.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    _redis_options = {
        # A Redis that does not answer is given up on quickly, not left to hang a worker; the
        # process then caches and counts in its own memory until Redis answers again.
        "socket_connect_timeout": float(env("REDIS_CONNECT_TIMEOUT", "1")),
        "socket_timeout": float(env("REDIS_TIMEOUT", "1")),
    }
    # Django's RedisCache, except that while Redis is down each process caches and counts in its
    # own memory instead of failing the request (core/redis_cache.py).
    CACHES["default"] = {
        "BACKEND": "core.redis_cache.FallbackRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "aa",
        "OPTIONS": _redis_options,
    }
    CACHES["shared"] = {
        "BACKEND": "core.redis_cache.FallbackRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "aa-shared",
        "OPTIONS": _redis_options,
    }

# E-mail: printed to the console in development; SMTP when EMAIL_HOST is set.
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Ashyq Auyl <noreply@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The ORGANIZER of a hearing in calendars when its akimat has no public e-mail: an address that
# answers residents' questions about hearings. Unset, such an event has no ORGANIZER.
CALENDAR_ORGANIZER_EMAIL = env("CALENDAR_ORGANIZER_EMAIL", "")

# Security. Production defaults are strict; SECURE_SSL_REDIRECT can be switched off when a proxy
# in front already redirects, and SECURE_PROXY_SSL_HEADER set when that proxy terminates TLS
# (believed only from TRUSTED_PROXIES: core.proxies.ForwardedProtoMiddleware).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request bodies. Text fields of a form together: 1 MB (the longest field takes 4,000 characters).
# An uploaded file above 2.5 MB goes to a temporary file instead of memory. The whole body of a
# request is capped per view before it is read (core/request_limits.py): 1 MB by default,
# more only on the views that take a photo, a PDF or a CSV.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 1024 * 1024)
ADMIN_REQUEST_BODY_MAX_BYTES = env_int("ADMIN_REQUEST_BODY_MAX_BYTES", 25 * 1024 * 1024)

# Logs go to standard error: plain text in development, one JSON object per line in production
# (LOG_FORMAT=json|text; config/logging.py). Errors also go to Sentry when SENTRY_DSN is set.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", "text" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; lockouts come at WARNING.
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=env("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        send_default_pii=False,  # residents' addresses and contacts stay out of reports
        traces_sample_rate=0.0,
    )

# The proxies in front of the app (core/proxies.py client_ip): networks, comma-separated CIDRs,
# e.g. "10.0.0.0/8,127.0.0.1/32". Only a connection from one of them has its X-Forwarded-For
# believed, for rate limits and sign-in throttling; the client is the rightmost entry that is not
# a listed proxy. Empty (the default): the connection's own address, whatever the header says.
TRUSTED_PROXIES = [cidr.strip() for cidr in env("TRUSTED_PROXIES", "").split(",") if cidr.strip()]
# Health probes (portal/probes.py): /healthz and /readyz from these networks (a load balancer,
# nginx, a monitor) are answered over plain http whatever their Host header, before the https
# redirect and the ALLOWED_HOSTS check. /readyz waits at most READYZ_TIMEOUT seconds for its
# checks together (core/readiness.py).
HEALTH_PROBE_NETWORKS = env_list("HEALTH_PROBE_NETWORKS", "127.0.0.0/8,::1/128")
READYZ_TIMEOUT = float(env("READYZ_TIMEOUT", "0.9"))
# Set by deploy/gunicorn.conf.py: while this file exists the server is shutting down and /readyz
# answers 503, so that a load balancer stops sending requests before the workers stop accepting.
SHUTDOWN_FLAG_FILE = env("SHUTDOWN_FLAG_FILE", "")
# An address shared by many browsers (a village behind one carrier address) may send this many
# times the per-browser limit.
RATELIMIT_SHARED_FACTOR = env_int("RATELIMIT_SHARED_FACTOR", 10)

# Content-Security-Policy (django-csp 4) on every page: scripts, styles and fonts only from this
# site, no inline script or style, images from here and the map tile server. Uploaded files get a
# stricter policy of their own (portal.views.media_file).
_tiles = urlsplit(env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"))
_tile_origin = f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", _tile_origin, *MEDIA_CSP_ORIGINS],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The edition of the KATO classifier shipped in data/kato/ (see data/kato/README.md).
KATO_EDITION = "НК РК 11-2025 / 17.07.2026"

# Maps: Leaflet is served from our static files; only the tiles come from this server, and only
# when a visitor presses "Show on map". Any XYZ tile server works.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# --- Public hearings (hearings app) ------------------------------------------------------------
# The legal clock's periods are data, not settings: rule sets with their sources, edited by
# staff in the admin (hearings.RuleSet, seeded by a migration; see README, "The legal clock").
# Subscribers get a reminder this many days before a hearing.
HEARING_REMINDER_DAYS = env_int("HEARING_REMINDER_DAYS", 3)
# Outbox: how often a message is tried, the first back-off (doubled at each attempt up to the
# cap) and how long a sender may hold a message before another run takes it over. With these
# defaults a message is tried for about a week (9 tries in the first 8.5 hours, then every 6).
HEARING_OUTBOX_MAX_ATTEMPTS = env_int("HEARING_OUTBOX_MAX_ATTEMPTS", 40)
HEARING_OUTBOX_BACKOFF_SECONDS = env_int("HEARING_OUTBOX_BACKOFF_SECONDS", 60)
HEARING_OUTBOX_BACKOFF_MAX_SECONDS = env_int("HEARING_OUTBOX_BACKOFF_MAX_SECONDS", 6 * 60 * 60)
HEARING_OUTBOX_LEASE_SECONDS = env_int("HEARING_OUTBOX_LEASE_SECONDS", 15 * 60)
# Delivery channels by name; a channel is a class with `send(message)` (see hearings/channels.py).
HEARING_CHANNELS = {"email": "hearings.channels.EmailChannel"}
# Links in e-mails, calendars and printed notices use SITE_URL (set near the top).

# The open-data API (/api/v1/): public reads are anonymous; see projects/api.py.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.CompactJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "core.api.ApiSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "DEFAULT_THROTTLE_CLASSES": [
        "projects.throttles.ApiReadThrottle",
        "projects.throttles.ApiWriteThrottle",
    ],
    "EXCEPTION_HANDLER": "projects.throttles.exception_handler",
}
# JSON bodies sent to the write API (core/parsers.py): at most this size and depth.
# A disclosure in three languages is under 30 KB and 3 levels deep.
API_JSON_MAX_BYTES = env_int("API_JSON_MAX_BYTES", 256 * 1024)
API_JSON_MAX_DEPTH = 10
# API limits (projects/throttles.py): reads per client address, writes per API key, counted in
# the "shared" cache. "number/second|minute|hour|day"; empty for no limit.
API_THROTTLE_RATES = {
    "read": env("API_THROTTLE_READ", "120/minute") or None,
    "write": env("API_THROTTLE_WRITE", "60/minute") or None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ashyq Auyl open data API",
    "DESCRIPTION": (
        "What industrial companies did for Kazakhstan's villages, and public hearings. "
        "Data licensed under Creative Commons Attribution 4.0 (CC BY 4.0); place coordinates "
        "from GeoNames (CC BY 4.0)."
    ),
    "VERSION": "1",
    "LICENSE": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error bodies every operation documents and the rules the server checks beyond each
    # field's type (core/api.py, disclosures/api.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.state_server_rules",
        "disclosures.api.state_disclosure_rules",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CurrencyEnum": "projects.models.Currency",
        "DisclosureStatusEnum": "disclosures.models.Status",
        "ProjectStatusEnum": "projects.models.Project.Status",
        "HearingStatusEnum": "hearings.models.Hearing.Status",
    },
    # The schema is checked by tests/api/test_schema.py (schemathesis), not by `check --deploy`:
    # its notes on filters whose values are codes ("defaulting to string") are not problems.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}
