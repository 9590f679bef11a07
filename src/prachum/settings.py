"""The one settings module. Every value comes from PRACHUM_* variables (see config.py);
the defaults are the embedded mode: SQLite in the data folder, tasks in-process, mail in the outbox."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from prachum import config

config.check_unknown_variables()

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.get_data_dir()
DEBUG = config.get_bool("PRACHUM_DEBUG", False)
SECRET_KEY = config.get_secret_key(DATA_DIR)
PRACHUM_ENCRYPTION_KEY = config.get_encryption_key(DATA_DIR)
PRACHUM_BASE_URL = config.get_base_url()
ALLOWED_HOSTS = config.get_allowed_hosts(PRACHUM_BASE_URL)
PRACHUM_REDIS_URL = config.get_redis_url()
PRACHUM_IS_HTTPS = urlsplit(PRACHUM_BASE_URL).scheme == "https"
CSRF_TRUSTED_ORIGINS = [PRACHUM_BASE_URL]

INSTALLED_APPS = [
    # Django's admin behind the login's second step (accounts.admin_site).
    "prachum.accounts.admin_apps.VerifiedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "prachum.core",
    "prachum.accounts",
    "prachum.directory",
    "prachum.meetings",
    "prachum.registration",
    "prachum.notify",
    "prachum.checkin",
    "prachum.online",
    "prachum.audit",
    "prachum.jobs",
    "prachum.badges",
    "prachum.exchange",
    "prachum.reports",
    "prachum.api",
    "prachum.web",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # First, so that every log line of the request carries its id (core/request_ids.py).
    "prachum.core.request_ids.RequestIdMiddleware",
    # /healthz, /readyz and /metrics, answered before everything below (core/probes.py says why).
    "prachum.core.probes.ProbesMiddleware",
    "prachum.core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "prachum.core.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "prachum.core.request_logs.NeedlessEscapesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "prachum.accounts.middleware.SessionLimitsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "prachum.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prachum.urls"
WSGI_APPLICATION = "prachum.wsgi.application"

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
                "prachum.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": config.get_database(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

if PRACHUM_REDIS_URL:
    # Fails open: with Redis down, pages are built afresh and the rate limits let requests through.
    CACHES = {"default": {"BACKEND": "prachum.core.cache_backends.FailOpenRedisCache", "LOCATION": PRACHUM_REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "prachum"}}
# Sessions in the database only, not cached_db: while Redis is unreachable (not stopped: it keeps its data) a
# logout or a login's change is written to the database but not to the cache, and once Redis answers again
# its old copy would win, e.g. a logged-out session logged in again (tests/faults/test_redis_down.py). Only
# people who log in have a session; reading it is one primary-key lookup.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Celery: a Redis broker in production; without Redis, tasks run in-process (embedded mode).
CELERY_BROKER_URL = PRACHUM_REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = PRACHUM_REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = PRACHUM_REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A hand-off (jobs/engine.py) runs in the request that committed: with the broker down or unreachable it must
# fail within about a second, not retry for minutes (the row waits for the sweep). Kombu's defaults wait
# forever on a Redis that stopped answering without closing the connection (tests/faults/test_redis_down.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TIMEZONE = "UTC"
# Workers log through LOGGING below (one format, the task id on each line), not Celery's own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The background engine (jobs/engine.py): the sweep hands out what is due (jobs, emails, work whose worker
# died) and the tick runs periodic work (reminders before sessions, online attendance lists).
CELERY_BEAT_SCHEDULE = {
    "prachum-sweep": {"task": "prachum.jobs.sweep", "schedule": 30.0},
    "prachum-tick": {"task": "prachum.jobs.tick", "schedule": 60.0},
}
# Who runs background work handed over after a commit: "celery" (workers, with Redis), "worker" (embedded
# mode: `prachum worker`, which `prachum demo` starts beside gunicorn, reads the database) or "inline"
# (tests only: at once, in the thread that commits). A setting, not a variable.
PRACHUM_DELIVERY = "celery" if PRACHUM_REDIS_URL else "worker"
# How long a worker's claim on a job or an email holds without news: longer than an SMTP conversation.
PRACHUM_LEASE_SECONDS = config.get_lease_seconds()
# Days a job's result file (exports with personal data, badge PDFs) stays downloadable; the tick deletes it then.
PRACHUM_JOB_RESULT_DAYS = config.get_job_result_days()

globals().update(config.get_email())

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Who must log in with a second factor (accounts.two_factor): "organizers", "administrators" or "off".
PRACHUM_REQUIRE_2FA = config.get_two_factor_policy()
OTP_TOTP_ISSUER = "Prachum"
# Passkeys are a second factor after the password, not a way around it (and around axes' lockout).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Prachum"
# The relying party is the public address; accounts.webauthn reads PRACHUM_BASE_URL at each ceremony.
OTP_WEBAUTHN_HELPER_CLASS = "prachum.accounts.webauthn.WebAuthnHelper"
OTP_WEBAUTHN_RP_ID = urlsplit(PRACHUM_BASE_URL).hostname
OTP_WEBAUTHN_ALLOWED_ORIGINS = ["{0.scheme}://{0.netloc}".format(urlsplit(PRACHUM_BASE_URL))]
if not PRACHUM_BASE_URL.startswith(("https://", "http://localhost")):
    # A plain-http address on a network (a trial on an office LAN): browsers offer no passkeys there, but the
    # app and the authenticator-app step work; the library's error would stop every command. Production is
    # https (secure cookies and HSTS follow from it below; `check --deploy` warns without them).
    SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E031"]
# A session ends after this long without a request, and SESSION_COOKIE_AGE after its login in any case.
PRACHUM_SESSION_IDLE_SECONDS = config.get_session_idle_seconds()
SESSION_COOKIE_AGE = 12 * 3600
PRACHUM_RATELIMIT_PASSWORD_RESET = "5/m"
LOGIN_REDIRECT_URL = "web:manage"
LOGOUT_REDIRECT_URL = "web:home"

# Password guessing: five failures lock that username from that address for 15 minutes, and twenty spread
# over any usernames lock the address (accounts.lockout weighs the two counts).
AXES_HANDLER = "prachum.accounts.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "prachum.accounts.lockout.username_of"
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Lao first. Django ships no Lao, so the language, its formats and its catalog are ours.
LANG_INFO["lo"] = {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"}
LANGUAGE_CODE = "lo"
LANGUAGES = [("lo", _("Lao")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "prachum_language"
LANGUAGE_COOKIE_SECURE = PRACHUM_IS_HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["prachum.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Vientiane"

# How long a process may reuse what its per-process caches keep (core/caching.py): the public pages' versions,
# the form's definition and blank fields, the seat counts of the status guess, the desk's labels.
PRACHUM_PROCESS_CACHE_SECONDS = 2.0

STATIC_URL = "/static/"
# Made when missing: WhiteNoise warns at every start without it (before collectstatic).
STATIC_ROOT = config.get_static_root(DATA_DIR)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Public files: collectstatic writes them readable by all (a web server in front may serve STATIC_ROOT).
    "staticfiles": {"BACKEND": "prachum.core.staticfiles.StaticFilesStorage",
                    "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755}},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads (answers' files, documents, photos) hold personal data and are served only through views that
# check who asks: readable by the server's own user alone.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Rate limits of the public POST endpoints (django-ratelimit, counted in the cache): a high ceiling per client
# address, so that a delegation registering together from one office passes, and a low one per person (per email
# and per form token). Raise them for a load test. When the cache is down the limits let requests through
# (registration/ratelimits.py).
PRACHUM_RATELIMIT_REGISTER = "200/m"
PRACHUM_RATELIMIT_REGISTER_PER_PERSON = "5/m"
PRACHUM_RATELIMIT_RESEND_LINK = "60/m"
PRACHUM_RATELIMIT_RESEND_LINK_PER_PERSON = "3/m"
RATELIMIT_FAIL_OPEN = True
# Behind a proxy every connection comes from the proxy: without PRACHUM_CLIENT_IP_HEADER the address limits above
# and axes' lockouts would count the whole site as one client. core/client_ip.py reads the header the proxy sets.
PRACHUM_CLIENT_IP_META_KEY = config.get_client_ip_meta_key()
RATELIMIT_IP_META_KEY = "prachum.core.client_ip.client_ip"
AXES_CLIENT_IP_CALLABLE = "prachum.core.client_ip.client_ip"

# Who may read /metrics (core/metrics.py): loopback, these addresses or networks, or the bearer token.
PRACHUM_METRICS_ALLOWED_IPS = config.get_metrics_allowed_ips()
PRACHUM_METRICS_TOKEN = config.get_metrics_token()

SESSION_COOKIE_SECURE = PRACHUM_IS_HTTPS
CSRF_COOKIE_SECURE = PRACHUM_IS_HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRACHUM_IS_HTTPS:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    # Off unless asked: a ministry's domain has other hosts (intranet, mail, old sites) that HSTS on
    # subdomains would cut off, and a preloaded domain stays HTTPS-only in browsers for months after
    # it is withdrawn. The preload list requires includeSubDomains, so preload brings it.
    SECURE_HSTS_PRELOAD = config.get_bool("PRACHUM_HSTS_PRELOAD", False)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD or config.get_bool("PRACHUM_HSTS_INCLUDE_SUBDOMAINS", False)
    # check --deploy warns when either is off; that is the operator's choice above, not an oversight.
    SILENCED_SYSTEM_CHECKS = [
        *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
        *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
    ]

# Content-Security-Policy (django-csp): scripts, styles, fonts and pictures from this site only, never inline
# (every page's JavaScript and CSS is a static file); data: pictures for QR codes. The check-in desk adds
# 'wasm-unsafe-eval' for its QR decoder (checkin/views.py). Served files (uploads, documents) set their own
# `sandbox` policy, which this middleware leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# PRACHUM_LOG_FORMAT: "plain" lines for a person, or "json" (core/log_format.py) for a log collector; both
# carry no private link and, in json, the request's and the Celery task's id.
PRACHUM_LOG_FORMAT = config.get_log_format()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "prachum.core.log_format.JsonFormatter"},
    },
    "filters": {
        "hide_private_links": {"()": "prachum.registration.log_redaction.HidePrivateLinks"},
        "client_errors_in_one_line": {"()": "prachum.core.request_logs.ClientErrorsInOneLine"},
        "request_id": {"()": "prachum.core.request_ids.RequestIdFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": PRACHUM_LOG_FORMAT,
                    "filters": ["hide_private_links", "client_errors_in_one_line", "request_id"]},
    },
    "root": {"handlers": ["console"], "level": config.get_log_level()},
    "loggers": {"axes": {"level": "WARNING"}},
}


# The public API (prachum.api, docs/api.md): tokens only (no session: no CSRF to reason about), JSON only,
# errors as RFC 9457 problem details, a rate per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["prachum.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["prachum.api.permissions.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["prachum.api.throttles.PerToken"],
    "DEFAULT_THROTTLE_RATES": {"token": "600/min"},
    "DEFAULT_PAGINATION_CLASS": "prachum.api.pagination.Cursor",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "prachum.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Prachum API",
    "DESCRIPTION": "Meetings, registrations, check-ins and webhooks of Prachum. Every request sends an API token "
                   "(Authorization: Bearer …) made on the organizer pages; errors are RFC 9457 problem details.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A registration's language and a meeting's default language are one choice set: one name for it.
    "ENUM_NAME_OVERRIDES": {"LanguageEnum": [("lo", "ລາວ"), ("en", "English")]},
}
