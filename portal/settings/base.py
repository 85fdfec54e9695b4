"""Settings shared by every environment; each value comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "portal.core",
    "alliance",
    "fund",
    "matching",
    "fund.routing",
    "fund.institutions",
    "fund.ministry",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.KoreanFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the flag the lockout backend leaves on the request (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "django.template.context_processors.i18n",
                "alliance.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"].get("ENGINE") == "django.db.backends.postgresql":
    # Short OLTP queries: PostgreSQL's JIT compile cost 0.5–1.7 s on the 100k-proposal lists
    # (docs/performance.md) and never pays back on a page of 50.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "alliance.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "alliance:dashboard"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Korean first, English second.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from npm (package.json); only the parts the pages use are served.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/krds", NODE_MODULES / "krds-uiux" / "resources"),
    # KRDS component.css points its icons one folder deeper (../../img/img/...) than the package.
    ("vendor/krds/img/img", NODE_MODULES / "krds-uiux" / "resources" / "img"),
    ("vendor/pretendard", NODE_MODULES / "pretendard-gov" / "dist" / "web" / "variable"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # documents are only served through permission-checked views

# Uploads: refuse anything above the limit before it is read whole.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@max-fund.example.kr")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4.x format). Pages carry no inline script, no inline
# event handler and no style attribute (tests/test_security_headers.py reads every template),
# so neither script-src nor style-src needs 'unsafe-inline'; htmx's own indicator <style> is
# switched off by <meta name="htmx-config"> in templates/base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Sign-in lockout (django-axes), for the pages and the API token endpoint alike (both call
# authenticate with the request), counted in PostgreSQL so every web process sees the same
# count. An account is locked only for the address its failures came from: made-up user names
# or one person's typos behind an office's shared address never lock anyone else out. The
# lock lasts SIGN_IN_COOLOFF after the last failure and doubles with every further round of
# failures (up to SIGN_IN_COOLOFF_MAX). Password spraying from one address (many accounts,
# a few guesses each) is stopped by a separate, much higher count per address.
AUTHENTICATION_BACKENDS = [
    "portal.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
SIGN_IN_COOLOFF = timedelta(minutes=15)
SIGN_IN_COOLOFF_MAX = timedelta(hours=24)
AXES_COOLOFF_TIME = "portal.security.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=100)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_USERNAME_CALLABLE = "portal.security.client_username"
# How many reverse proxies of ours in front of the web process append to X-Forwarded-For; 0
# (docker-compose.yml serves gunicorn directly) trusts only REMOTE_ADDR, because a client can
# write any X-Forwarded-For it likes.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# The cache holds API throttle counts and the cached aggregates (portal.core.aggregate_cache).
# Per-process memory by default (one runserver); CACHE_URL (redis://…) gives every web and
# worker process one shared cache, which production needs for a change to reach every process
# at once.
CACHE_URL = env("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The pipeline's XLSX export is built in memory in the request: at most this many rows.
PIPELINE_XLSX_MAX_ROWS = 20_000

# `seed_demo` adds accounts with a published password; production settings turn it off.
DEMO_DATA_ALLOWED = True

# Celery: with no broker configured, tasks run in-process (the laptop demo).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With the broker down, a page that queues a task should give up quickly (the sweeps catch up),
# not hold the request while kombu retries the connection.
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# The broker is Redis by default; a RabbitMQ URL (amqp://) selects it for sites that need a
# broker that keeps messages across its own restart: durable queues, persistent messages, and
# publisher confirms (a publish returns once RabbitMQ has the message). Redis keeps them only
# as far as its append-only file does (docs/scaling.md).
CELERY_QUEUE_NAMES = ("default", "scoring", "coordination")
if CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://")):
    from kombu import Queue

    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
    CELERY_TASK_QUEUES = tuple(Queue(name, durable=True) for name in CELERY_QUEUE_NAMES)
    CELERY_TASK_DEFAULT_DELIVERY_MODE = "persistent"
CELERY_TASK_ROUTES = {
    "matching.*": {"queue": "scoring"},
    # Automatic routing refers into the coordination queue: the workers that deliver take it.
    "routing.*": {"queue": "coordination"},
    # Mail goes on the default queue that every worker consumes.
    "alliance.notifications_*": {"queue": "default"},
}
CELERY_BEAT_SCHEDULE = {
    # Safety net: anything submitted while the broker was down is scored once it is back.
    "matching-score-missing": {"task": "matching.score_missing", "schedule": 60.0},
    # A rescore whose worker died (or whose messages never left) resumes without a person.
    "matching-resume-stale-rescores": {
        "task": "matching.resume_stale_rescores",
        "schedule": 300.0,
    },
    # The coordination outbox: re-send undelivered packets, mark the hopeless ones stuck.
    "coordination-sweep": {
        "task": "coordination.sweep",
        "schedule": 15.0,
        "options": {"queue": "coordination"},
    },
    # Automatic routing: candidates whose message was lost, and those capped the day before.
    "routing-sweep": {
        "task": "routing.sweep",
        "schedule": 30.0,
        "options": {"queue": "coordination"},
    },
    # The mail outbox: send what is still pending (broker down, mail server refused).
    "notifications-sweep": {"task": "alliance.notifications_sweep", "schedule": 30.0},
    # Uploaded files whose document row never committed (the request failed after storing).
    "documents-orphan-sweep": {"task": "alliance.documents_orphan_sweep", "schedule": 3600.0},
    # Personal data past its retention period is erased once a night (Korean time).
    "personal-data-erasure": {
        "task": "core.erase_expired_personal_data",
        "schedule": crontab(hour=3, minute=30),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.core.api.PortalAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "portal.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.core.throttles.AnonThrottle",
        "portal.core.throttles.UserThrottle",
    ],
    # Per client address (anonymous, and the token endpoint) or per user; 429 beyond.
    # Throttles count by the connecting address: X-Forwarded-For is the client's to forge
    # (the same rule as the sign-in lockout, portal.security.client_ip).
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "60/minute",
        "user": "600/minute",
        "token": "10/minute",
        # The public self-check (자가진단), pages and API together, per client address.
        "self_check": "20/minute",
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "M.AX × 국민성장펀드 Portal API",
    "DESCRIPTION": (
        "REST API v1 of the M.AX Alliance × National Growth Fund portal. Authenticate with "
        "`POST /api/v1/auth/token/` (username, password) and send `Authorization: Token "
        "<token>`. Amounts are integer won; a value not set is `null` (a firm's `website`, a "
        "draft's `sub_alliance`). Long lists come in cursor pages `{next, previous, results}`; "
        "the coordination queue in pages by sequence `{next, next_after, results}` (`?after=`); "
        "a proposal's documents and match results as plain arrays. Errors: 400 "
        "`{field: [messages]}`; otherwise `{detail, code}` — 401 no credentials, 403 role "
        "lacks the capability, 404 not found or not visible to you, 405 method not allowed, "
        "406 the Accept header admits no JSON, 409 stale `version` / transition not allowed / "
        "capacity exceeded, 413 too large, 415 a body in a media type the operation does not "
        "read, 429 throttled (`throttled`) or sign-in locked out (`locked_out`), with "
        "`Retry-After` in seconds. Each operation lists the statuses it can answer."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FirmStatusEnum": "portal.core.vocabulary.FirmStatus",
        "ProposalStatusEnum": "portal.core.vocabulary.ProposalStatus",
        "ReviewStageEnum": "portal.core.vocabulary.ReviewStage",
        "RegionEnum": "portal.core.vocabulary.Region",
        "ChannelCodeEnum": "portal.core.vocabulary.ChannelCode",
        "DecisionEnum": "portal.core.vocabulary.Decision",
        "PacketStateEnum": "fund.coordination.models.PacketState",
        "PacketKindEnum": "fund.coordination.models.PacketKind",
        "EventKindEnum": "fund.site.models.EventKind",
        "DocumentKindEnum": "portal.core.vocabulary.DocumentKind",
        "RegistrationStatusEnum": "fund.site.models.RegistrationStatus",
        "RuleSetStatusEnum": "matching.models.RuleSetStatus",
        # The routing policy's lists of codes (fund.routing.api) share these with the filters.
        "SubAllianceEnum": "alliance.api.serializers.SUB_ALLIANCE_CODES",
        "IndustryEnum": "portal.core.vocabulary.INDUSTRY_CODES",
        "SizeClassEnum": "portal.core.vocabulary.SizeClass",
        "InfraKindEnum": "fund.ministry.models.InfraKind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; failures and lockouts are WARNING and stay.
    "loggers": {"axes": {"level": "WARNING"}},
}

FILE_UPLOAD_HANDLERS = [
    "alliance.documents.checks.DocumentSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

HEALTHZ_WORKER_TIMEOUT = env.float("HEALTHZ_WORKER_TIMEOUT", default=1.0)
# /readyz reuses a worker ping for this long: polling never broadcasts on every request.
READYZ_CACHE_SECONDS = env.float("READYZ_CACHE_SECONDS", default=10.0)

# Absolute links in mail (self-cancel links for event registrations).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# How long the personal data of event registrants and consultation contacts is kept: days after
# the event ends or the consultation closes. The privacy policy page shows this value, and
# `core.erase_expired_personal_data` erases what is older (portal.core.privacy).
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=30)
if PERSONAL_DATA_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(
        "PERSONAL_DATA_RETENTION_DAYS must be a whole number of days, at least 1 / "
        "PERSONAL_DATA_RETENTION_DAYS는 1 이상의 일수여야 합니다."
    )
