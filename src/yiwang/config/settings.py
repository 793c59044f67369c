"""Django settings. Values from the process environment come only via `environment.py`."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from yiwang.config.environment import database_settings, read_environment

ENV = read_environment()
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = ENV.data_dir

SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts
PUBLIC_URL = ENV.public_url
DEADLINE_WARNING_WORKING_DAYS = ENV.deadline_warning_working_days
YIWANG_REGISTRY_URL = ENV.registry_url
YIWANG_REGISTRY_CREDENTIAL = ENV.registry_credential
YIWANG_REGISTRY_PLATFORM = ENV.registry_platform
TRUSTED_PROXIES = ENV.trusted_proxies
STAFF_SESSION_SECONDS = ENV.staff_session_hours * 3600
SESSION_COOKIE_AGE = ENV.session_hours * 3600  # residents and enterprises (staff: core SessionLifetimeMiddleware)
API_TOKEN_SECONDS = ENV.api_token_hours * 3600
SUPERSEDED_FILE_SECONDS = ENV.superseded_file_hours * 3600

# Background work (yiwang.jobs): the Tasks API with the database queue, or RQ on Redis.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_rq.RQBackend" if ENV.tasks_backend == "redis" else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {"default": {"URL": ENV.redis_url, "DEFAULT_TIMEOUT": 600}}
RQ = {"WORKER_CLASS": "rq.worker.SimpleWorker"}

# Notifications (yiwang.notifications): SMS gateways with weights, the credential we present to
# them and the token their delivery receipts present to us; staff e-mail.
SMS_GATEWAYS = [dict(gateway) for gateway in ENV.sms_gateways]
SMS_GATEWAY_CREDENTIAL = ENV.sms_gateway_credential
SMS_RECEIPT_TOKEN = ENV.sms_receipt_token
SMS_PER_NUMBER_PER_HOUR = 10  # non-essential messages beyond this are not sent (essential ones are)
SMS_MAX_ATTEMPTS = 10
SMS_GATEWAY_TIMEOUT_SECONDS = 5.0  # an answer slower than this may still mean the gateway took it
SMS_BATCH_SIZE = 100
# Hall appointments (yiwang.hall): check-in from 30 minutes before a slot to 15 after its start
# (then 爽约); 2 no-shows or 5 cancellations within 30 days suspend online booking for 30 days.
HALL_APPOINTMENTS = {"early_minutes": 30, "grace_minutes": 15, "change_hours": 2, "period_days": 30,
                     "max_no_shows": 2, "max_cancellations": 5, "suspend_days": 30}
# 好差评 (yiwang.ratings): deadlines in working days and where ratings are forwarded.
RATINGS = {"rectification_working_days": ENV.rectification_working_days,
           "default_after_working_days": ENV.default_rating_working_days,
           "forward": ENV.rating_forward}
# The evaluation dashboard (yiwang.evaluation): the composite's weights, the hall's waiting target,
# and how many recent days the nightly job recomputes.
EVALUATION = {"weights": ENV.evaluation_weights, "wait_target_seconds": 900, "recent_days": 30}
KIOSK_SILENT_SECONDS = 60  # a kiosk with no heartbeat for this long (it sends one every 10 s) is reported
KIOSK = {"agent_url": ENV.kiosk_agent_url, "idle_seconds": ENV.kiosk_idle_seconds,
         "idle_warning_seconds": min(ENV.kiosk_idle_warning_seconds, ENV.kiosk_idle_seconds), "qr_sign_in_seconds": 120}
HALL_UNCOLLECTED_DAYS = 10  # results not collected at the output counter after this many days are followed up
  # messages per exchange with a gateway (and per run of the send job)
SMS_RECEIPT_WAIT_HOURS = 72  # a sent message with no receipt after this is a temporary failure
DEFAULT_FROM_EMAIL = ENV.email_from
if ENV.smtp_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = ENV.smtp_host, ENV.smtp_port
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    *(["django_rq"] if ENV.tasks_backend == "redis" else []),  # its queue pages in the admin need Redis
    "yiwang.core",
    "yiwang.jobs",
    "yiwang.workcalendar",
    "yiwang.catalog",
    "yiwang.accounts",
    "yiwang.applications",
    "yiwang.licences",
    "yiwang.registries",
    "yiwang.bundles",
    "yiwang.search",
    "yiwang.notifications",
    "yiwang.webhooks",
    "yiwang.hall",
    "yiwang.staffing",
    "yiwang.ratings",
    "yiwang.evaluation",
    "yiwang.kiosks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yiwang.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yiwang.core.middleware.RejectUnsafeTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yiwang.accounts.middleware.StaffSessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "yiwang.config.urls"
WSGI_APPLICATION = "yiwang.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yiwang.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_settings(ENV)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal-home"
LOGOUT_REDIRECT_URL = "portal-home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Assets are served by the platform itself (intranets have no CDN); few files, so from app dirs.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded materials: limit and accepted content types (checked by content, not name).
MATERIAL_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if ENV.https:
    # TLS ends at the proxy in front of gunicorn; it tells us the scheme.
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login attempts per identity (and per client address) within the window, before refusal.
# Refuse a username from one address after `attempts` failures; slow every attempt down after
# `attempts_per_identity` failures of a username from anywhere or `attempts_per_address` from one
# address (see accounts.services.authenticate_with_rate_limit).
LOGIN_RATE_LIMIT = {"attempts": 5, "attempts_per_identity": 20, "attempts_per_address": 50, "window_seconds": 300,
                    "slowdown_seconds": 2}

# Public licence verifications from one client address per window (page and API together).
LICENCE_VERIFY_RATE_LIMIT = {"requests": 30, "window_seconds": 600}

# Registrations posted from one client address per window (an office registers several people).
REGISTRATION_RATE_LIMIT = {"attempts": 10, "window_seconds": 3600}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call gets 401 with WWW-Authenticate rather than 403.
        "yiwang.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "yiwang.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "yiwang.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "yiwang API",
    "DESCRIPTION": "一网通办 platform: catalogue, applications, flat approval, e-licences, calendar.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "yiwang.core.logging.MaskPIIFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_pii"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"yiwang": {"level": "INFO"}},
}
