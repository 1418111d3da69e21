"""One settings module for the embedded default and for production.

Everything that differs between the two comes from the environment (see
``portal/env.py``); the defaults run with zero set-up on SQLite and an embedded
Celery broker. Production (docker-compose.yml) sets DATABASE_URL,
CELERY_BROKER_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import env_bool, env_int, env_list, env_str, require_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
PRODUCTION = env_bool("PRODUCTION", not DEBUG)
# The development key is only ever a default for the embedded run (DEBUG=1). With DEBUG=0 (or
# PRODUCTION=1) the portal refuses to start unless SECRET_KEY is a real key: set, not the
# repository's development key, and strong by Django's own rule (50+ characters, 5+ distinct).
DEVELOPMENT_SECRET_KEY = "embedded-default-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", "" if (PRODUCTION or not DEBUG) else DEVELOPMENT_SECRET_KEY)
if PRODUCTION or not DEBUG:
    require_secret("SECRET_KEY", SECRET_KEY, development_value=DEVELOPMENT_SECRET_KEY)
# The audit chain's HMAC key (portal/audit.py): never stored in the database. Production requires a
# real one, like SECRET_KEY; the embedded run derives its own from the development key.
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY", "")
if PRODUCTION or not DEBUG:
    require_secret("AUDIT_HMAC_KEY", AUDIT_HMAC_KEY, development_value=DEVELOPMENT_SECRET_KEY, min_length=32)
    if AUDIT_HMAC_KEY == SECRET_KEY:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY must differ from SECRET_KEY.")
elif not AUDIT_HMAC_KEY:
    AUDIT_HMAC_KEY = "audit-dev:" + DEVELOPMENT_SECRET_KEY[::-1]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",  # login lockout (portal/login_guard.py); before portal, whose admin replaces axes' page
    # The chain, in dependency order (imports point up this list).
    "portal",
    "powers",
    "risks",
    "approvals",
    "complaints",
    "monitoring",
    "performance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    # Last: turns a refused login (locked out) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
# Production keeps connections open between requests (a new PostgreSQL connection costs more than
# most queries) and checks a reused one before each request, so a restarted server is not an error.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # Connecting to a server that does not answer fails after this many seconds (health, requests).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat share the file; IMMEDIATE
    # transactions take the write lock up front instead of failing on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # SQLite ignores the INCLUDE columns of covering indexes (monitoring.Timer's timer_case_*, for
    # the dashboard's index-only scans on PostgreSQL): nothing to warn about.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Lets parallel test runs on one PostgreSQL server use separate test databases.
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache --------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses a locked-out user name + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "portal.login_guard.LoginGuardBackend",  # django-axes, see portal/login_guard.py
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout by the combination of user name and client address (portal/login_guard.py): after
# AXES_FAILURE_LIMIT failures that pair is refused, the right password included, for the cool-off
# or until an administrator unlocks it (admin: 访问尝试 → 解除锁定). Every unlock and lockout is audited.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1) or None  # hours; 0: locked until unlocked
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # retries while locked are refused, not counted
AXES_CLIENT_IP_CALLABLE = "portal.ratelimit.login_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "portal.login_guard.axes_username"
# Failures per account from every address together, per hour (portal/login_guard.py).
ACCOUNT_FAILURE_LIMIT = env_int("ACCOUNT_FAILURE_LIMIT", 20)
# A signed-in session ends after this long without a request, and this long after the login at the
# latest (portal.middleware.SessionTimeoutMiddleware; OWASP ASVS 3.3.2).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:workbench"
LOGOUT_REDIRECT_URL = "portal:home"

# --- i18n: Chinese first, English second ---------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static and media ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- security (production values come from DEBUG=0) ------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.PublicReadScopedWrite"],
    "DEFAULT_FILTER_BACKENDS": ["portal.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.StandardCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API view is throttled: anonymous clients per address ("anon", keyed by the NUM_PROXIES
    # rule below), signed-in users and token holders per user ("user"). Views that need a stricter
    # limit (tracking with a query secret, obtaining a token) set their own scope on top.
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.ratelimit.AnonThrottle",
        "portal.ratelimit.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "120/min"),
        "user": env_str("API_USER_RATE", "600/min"),
        "tracking": "10/min",
        "token": "10/min",
    },
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # How many trusted reverse proxies append to X-Forwarded-For. 0: throttles key on REMOTE_ADDR,
    # never on a header the client can forge. Pages and API use the same rule and the same
    # throttles (portal.ratelimit).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "权力清单治理平台 API",
    "DESCRIPTION": "Power list, integrity risks, one-window service, electronic supervision.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Error answers (400/401/403/404/409/429, one body shape) are documented in one place.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.document_errors",
    ],
    # Several apps have fields named "kind"/"level" with different choices: name the enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "portal.choices.Level",
        "DepartmentKindEnum": "portal.choices.DepartmentKind",
        "DocumentKindEnum": "powers.choices.DocumentKind",
        "PowerStatusEnum": "powers.choices.PowerStatus",
        "PowerCategoryEnum": "powers.choices.Category",
        "PowerChangeKindEnum": "powers.choices.ChangeKind",
        "CaseKindEnum": "approvals.choices.CaseKind",
        "CaseStatusEnum": "approvals.choices.CaseStatus",
        "ApplicantTypeEnum": "approvals.choices.ApplicantType",
        "SuspensionKindEnum": "approvals.choices.SuspensionKind",
        "CaseEventKindEnum": "approvals.choices.EventKind",
        "DisclosureKindEnum": "approvals.choices.DisclosureKind",
        "RaterKindEnum": "performance.choices.RaterKind",
        "DisclosureStateEnum": "approvals.choices.DisclosureState",
        "DisclosureExemptionReasonEnum": "approvals.choices.ExemptionReason",
        "AlertKindEnum": "monitoring.choices.AlertKind",
        "AlertLevelEnum": "monitoring.choices.AlertLevel",
        "AlertStateEnum": "monitoring.choices.AlertState",
        "NoticeStatusEnum": "monitoring.choices.NoticeStatus",
        "AccountabilityMeasureEnum": "monitoring.choices.AccountabilityMeasure",
        "CaseChannelEnum": "approvals.choices.Channel",
        "ComplaintChannelEnum": "complaints.choices.Channel",
        "ComplaintStateEnum": "complaints.choices.ComplaintState",
        "ComplaintVerbEnum": "complaints.choices.Verb",
        "ComplaintSatisfactionEnum": "complaints.choices.Satisfaction",
        "RiskGradeEnum": "risks.choices.Grade",
        "RiskTypeEnum": "risks.choices.RiskType",
        "RiskPointStatusEnum": "risks.choices.RiskPointStatus",
        "RiskDiscoverySourceEnum": "risks.choices.DiscoverySource",
        "RiskHolderEnum": "risks.choices.Holder",
        "RiskInformationStatusEnum": "risks.choices.InformationStatus",
        "RiskWarningLevelEnum": "risks.choices.WarningLevel",
        "RiskWarningStatusEnum": "risks.choices.WarningStatus",
        "RiskOrderStatusEnum": "risks.choices.OrderStatus",
    },
}
# The empty choice of every filter's drop-down (django-filter's default is "---------").
FILTERS_EMPTY_CHOICE_LABEL = _("全部")
# Token lifetimes by role (portal/tokens.py): integrators' tokens, administrators' write tokens and
# other staff's read-only tokens.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
API_ADMIN_TOKEN_TTL_DAYS = env_int("API_ADMIN_TOKEN_TTL_DAYS", 1)
API_STAFF_TOKEN_TTL_DAYS = env_int("API_STAFF_TOKEN_TTL_DAYS", 1)

# --- Celery ------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport, so the worker and beat run
# with no broker server. Production sets CELERY_BROKER_URL=redis://…
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_celery_dir = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed", "control"):
        (_celery_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),  # broadcast (ping, inspect) exchanges
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HEARTBEAT_FILE = str(VAR_DIR / "worker-heartbeat")

# Where the audit chain's head is anchored, outside the database (append-only JSON lines).
AUDIT_ANCHOR_PATH = env_str("AUDIT_ANCHOR_PATH", str(VAR_DIR / "audit-anchors.jsonl"))

# --- the domain ----------------------------------------------------------------------
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo")
PORTAL_NAME = env_str("PORTAL_NAME", "权力清单治理平台")
CITY_NAME = env_str("CITY_NAME", "示范市")
# How stale the supervision sweep may get before it is an alarm of its own.
SWEEP_STALE_AFTER_SECONDS = env_int("SWEEP_STALE_AFTER_SECONDS", 300)
# Complaints (统一受理投诉平台): the supervisory organ that forwards and supervises, the discipline
# inspection office that alone receives corruption clues (department codes), the reopen window,
# the retention after which closed complaints are anonymised, and the public form's limits.
COMPLAINTS_SUPERVISORY_DEPARTMENT = env_str("COMPLAINTS_SUPERVISORY_DEPARTMENT", "JW")
COMPLAINTS_DISCIPLINE_DEPARTMENT = env_str("COMPLAINTS_DISCIPLINE_DEPARTMENT", "JW")
COMPLAINTS_REOPEN_DAYS = env_int("COMPLAINTS_REOPEN_DAYS", 15)
COMPLAINTS_RETENTION_DAYS = env_int("COMPLAINTS_RETENTION_DAYS", 730)
COMPLAINTS_SUBMIT_PER_MINUTE = env_int("COMPLAINTS_SUBMIT_PER_MINUTE", 5)
COMPLAINTS_MIN_FILL_SECONDS = env_int("COMPLAINTS_MIN_FILL_SECONDS", 3)
# Handling-quality grade (优秀/合格/不合格) of a department from its indicators (rates 0–1):
# excellent when every "excellent" floor is met, unqualified when any "unqualified" floor is missed.
COMPLAINTS_GRADE_THRESHOLDS = {
    "excellent": {"completion_rate": 0.95, "on_time_completion_rate": 0.90, "satisfaction_rate": 0.90},
    "unqualified": {"completion_rate": 0.80, "on_time_completion_rate": 0.70, "satisfaction_rate": 0.70},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
