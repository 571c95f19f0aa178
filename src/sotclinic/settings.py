"""One settings module, driven by environment variables.

Every value a deployment changes comes from the environment; local defaults are safe for a
single-box clinic on SQLite (see README).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SOTCLINIC_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A key generated once and kept under var/, so sessions survive restarts on one box."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "sotclinic.accounts.apps.ClinicAdminConfig",  # Django's admin, asking for the 2FA code
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_q",
    "oauth2_provider",
    "sotclinic.accounts",
    "sotclinic.patients",
    "sotclinic.messaging",
    "sotclinic.scheduling",
    "sotclinic.intake",
    "sotclinic.charting",
    "sotclinic.exam",
    "sotclinic.billing",
    "sotclinic.documents",
    "sotclinic.outcomes",
    "sotclinic.audit",
    "sotclinic.fhir",
    "sotclinic.api",
    "sotclinic.portal",
    "sotclinic.staff",
    "sotclinic.imports",
    "sotclinic.backups",
    "sotclinic.demo",
    "sotclinic.monitoring",
]

MIDDLEWARE = [
    # The two metrics middlewares wrap all others (but the refusals), so the request latency by
    # view covers them.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "sotclinic.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sotclinic.cache_headers.NeverStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, defaulting to the clinic's language instead of the browser's;
    # a patient's own choice (the language cookie) wins. Also sets the clinic's formats.
    "sotclinic.scheduling.locale_middleware.ClinicLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a form or query value; the 400 page needs the user for its header.
    "sotclinic.nul_bytes.RefuseNulBytesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, so it sees what a view raises: a DomainError becomes its 4xx page.
    "sotclinic.refusals.RefusalMiddleware",
]

ROOT_URLCONF = "sotclinic.urls"
WSGI_APPLICATION = "sotclinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sotclinic.clinic_locale.template_context",
            ],
            # Every template translates ({% translate %}) and writes dates the clinic's way.
            "builtins": [
                "django.templatetags.i18n",
                "sotclinic.clinic_formats",
                "sotclinic.data_text_filters",
            ],
            # {% load money %}: {{ amount|money:currency }} (sotclinic.money).
            "libraries": {"money": "sotclinic.money"},
        },
    },
]

# Databases: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'sotclinic.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
    # start of a transaction, so two writers never interleave a check-then-insert.
    # Connections persist (CONN_MAX_AGE as for PostgreSQL): opening one and running its pragmas
    # cost about a millisecond a request. Each gunicorn thread keeps its own; Django's own test
    # and development servers close theirs after every request; a restore writes into the open
    # file (SQLite's backup API), so a kept connection sees the restored data.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so live-server tests see the same data from every thread.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

# Signed links, sessions and password-reset tokens must verify on every server. A key generated
# per box is only safe where there can be just one box: a local SQLite file. Anywhere else (or
# with DEBUG off against PostgreSQL) a missing key is a start-up error, never a silent new key.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off and a database other than the local SQLite "
            "file, every app server must be given the same SECRET_KEY in the environment "
            '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    SECRET_KEY = _local_secret_key()
# Old keys still accepted for signatures while a new SECRET_KEY takes over (see README).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

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

# The clinic chooses its language on its settings page (ClinicSettings.language); this is the
# language before any clinic has chosen, and the one of text outside a request and a clinic.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English (UK)"),
    ("en-us", "English (US)"),
    ("de", "Deutsch"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Our own formats per language (en_GB with a 24-hour clock, en_US with a 12-hour one, de);
# the clinic's own date order and clock come from sotclinic.clinic_formats.
FORMAT_MODULE_PATH = ["sotclinic.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True  # times are stored in UTC; each location has its own zone

STATIC_URL = "static/"
# `collectstatic` (make run, the image build, every release) writes the files here, each also
# under a name with a hash of its content, and a manifest that `{% static %}` reads. A container
# image keeps them outside the var/ volume.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or VAR_DIR / "static").resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Patients' documents: a private directory, never served as media; files are read only through
# the access-checked, audited download views.
DOCUMENTS_ROOT = Path(os.environ.get("DOCUMENTS_ROOT") or VAR_DIR / "documents").resolve()
# Files chosen for import from another practice system: private, read only by the worker, and
# deleted with their upload after IMPORT_KEEP_DAYS days.
IMPORTS_ROOT = Path(os.environ.get("IMPORTS_ROOT") or VAR_DIR / "imports").resolve()
IMPORT_KEEP_DAYS = int(os.environ.get("IMPORT_KEEP_DAYS", "7"))
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
# Exports (FHIR $export files, patients' own record downloads): private as the documents, read
# only through the access-checked views, deleted EXPORT_KEEP_HOURS after they were made.
EXPORTS_ROOT = Path(os.environ.get("EXPORTS_ROOT") or VAR_DIR / "exports").resolve()
EXPORT_KEEP_HOURS = float(os.environ.get("EXPORT_KEEP_HOURS", "24"))
# Patients per batch while an export is written: memory and queries grow with batches, not rows.
EXPORT_BATCH_SIZE = int(os.environ.get("EXPORT_BATCH_SIZE", "200"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# A hashed name changes with its content, so WhiteNoise lets browsers keep those files for ten
# years (immutable); files asked for by their plain name may change with a release: an hour.
WHITENOISE_MAX_AGE = 0 if DEBUG else 60 * 60
# Only in development are files served straight from the package; a server serves what
# collectstatic wrote.
WHITENOISE_USE_FINDERS = DEBUG

# E-mail: written to files under var/mail/ unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")
# A mail server that accepts the connection and then hangs must not hold a request for long.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# The outbox: how often a message is tried before it is marked failed, and how long a sender
# holds a claimed message before another sender may try it (a sender that died mid-send).
MESSAGE_MAX_ATTEMPTS = int(os.environ.get("MESSAGE_MAX_ATTEMPTS", "10"))
MESSAGE_CLAIM_SECONDS = int(os.environ.get("MESSAGE_CLAIM_SECONDS", "300"))
# Wait before a retry: the first, doubled per further failed try, at most the second.
MESSAGE_RETRY_SECONDS = int(os.environ.get("MESSAGE_RETRY_SECONDS", "60"))
MESSAGE_RETRY_MAX_SECONDS = int(os.environ.get("MESSAGE_RETRY_MAX_SECONDS", str(6 * 60 * 60)))
# Sent messages are deleted after this many days (0: kept for ever); failed ones are kept.
MESSAGE_KEEP_SENT_DAYS = int(os.environ.get("MESSAGE_KEEP_SENT_DAYS", "90"))

# Text messages (SMS): written to files under var/sms/ unless a provider is configured.
# SMS_BACKEND=sotclinic.messaging.sms.TwilioBackend sends through Twilio with TWILIO_ACCOUNT_SID,
# TWILIO_AUTH_TOKEN and either TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER (E.164).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "sotclinic.messaging.sms.FileBackend")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(VAR_DIR / "sms"))
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
# Only to point the SDK at another address than Twilio's (a test server); unset in production.
TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "")

# Background work: django-q2. Its broker is the database itself by default (nothing else to
# run; with PostgreSQL, workers on several machines share it); TASK_BROKER=redis uses REDIS_URL.
# Its scheduler runs the periodic work (sotclinic.worker.PERIODIC_TASKS); every schedule row is
# locked while it is run, so several workers never run one schedule twice.
TASK_BROKER = os.environ.get("TASK_BROKER", "orm").strip().lower()
if TASK_BROKER not in {"orm", "redis"}:
    raise ImproperlyConfigured(f"TASK_BROKER must be 'orm' or 'redis', not {TASK_BROKER!r}.")
if TASK_BROKER == "redis" and not os.environ.get("REDIS_URL"):
    raise ImproperlyConfigured("TASK_BROKER=redis needs REDIS_URL.")
Q_CLUSTER = {
    # Keeps this installation's queue apart from another's in the same Redis.
    "name": os.environ.get("TASK_QUEUE_NAME", "sotclinic"),
    "workers": int(os.environ.get("WORKER_PROCESSES", "2")),
    # A task is stopped after `timeout` seconds and handed to another worker after `retry`.
    "timeout": 120,
    "retry": 180,
    # The outbox keeps its own tries and backoff; a failed task is not run again by the queue.
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 200,
    "poll": float(os.environ.get("TASK_POLL_SECONDS", "0.5")),
    "label": "Background tasks",
    # Run each task in the process that queues it, at once (the test suite; never in production).
    "sync": env_bool("TASKS_SYNC"),
    **({"redis": os.environ["REDIS_URL"]} if TASK_BROKER == "redis" else {"orm": "default"}),
}
# How often the worker tells /healthz that it is alive, and when /healthz answers 503: no sign
# of a worker for WORKER_SILENCE_SECONDS (0: not checked), or a message due for longer than
# QUEUE_LAG_SECONDS (0: not checked).
WORKER_HEARTBEAT_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_SECONDS", "30"))
HEALTH_WORKER_SILENCE_SECONDS = int(os.environ.get("HEALTH_WORKER_SILENCE_SECONDS", "300"))
HEALTH_QUEUE_LAG_SECONDS = int(os.environ.get("HEALTH_QUEUE_LAG_SECONDS", "900"))

# A shared cache for several app servers (sessions, rate limits, slot listings); without it
# each process keeps its own.
REDIS_URL = os.environ.get("REDIS_URL", "")

# With a shared cache (Redis), sessions are read from it and written through to the database,
# saving a query per signed-in page. Never with the per-process memory cache: a log-out in one
# worker would leave the session alive in another worker's copy.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours stand in front of the app and append to X-Forwarded-For;
# rate limits and the access log take the client's address from there (sotclinic.client_address).
# The one TLS proxy of the deployment sketch is implied by BEHIND_TLS_PROXY.
TRUSTED_PROXY_COUNT = max(
    0, int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if BEHIND_TLS_PROXY else "0"))
)
# HTTPS only, once the site has a certificate: redirect plain HTTP and tell browsers (HSTS) to
# use nothing else for this long. Off by default so a first set-up on plain HTTP still works.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = max(0, int(os.environ.get("SECURE_HSTS_SECONDS", "0")))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# The health check answers load balancers and monitors on plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

# Content-Security-Policy: scripts, styles and everything else only from the app's own files;
# no inline script, handler attribute or style attribute runs, so injected markup stays inert.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

CACHES = {
    "default": {
        **(
            {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
            if REDIS_URL
            else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        ),
        # Keeps this installation's keys apart from anything else using the same Redis.
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "sotclinic"),
    }
}

# The app's public address, for links in e-mails sent outside a request (reminders, follow-ups).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Online booking attempts allowed per client address and window.
BOOKING_RATE_LIMIT = int(os.environ.get("BOOKING_RATE_LIMIT", "20"))
BOOKING_RATE_WINDOW_SECONDS = int(os.environ.get("BOOKING_RATE_WINDOW_SECONDS", "600"))
# One-time log-in links for patients (portal.login_links): how long a link stays good, and how
# many may be asked for per e-mail address and per client address in each window.
LOGIN_LINK_MINUTES = int(os.environ.get("LOGIN_LINK_MINUTES", "20"))
LOGIN_LINK_EMAIL_LIMIT = int(os.environ.get("LOGIN_LINK_EMAIL_LIMIT", "3"))
LOGIN_LINK_ADDRESS_LIMIT = int(os.environ.get("LOGIN_LINK_ADDRESS_LIMIT", "10"))
LOGIN_LINK_WINDOW_SECONDS = int(os.environ.get("LOGIN_LINK_WINDOW_SECONDS", "900"))
# Used and expired log-in links are deleted by the worker this many days later.
LOGIN_LINK_KEEP_DAYS = int(os.environ.get("LOGIN_LINK_KEEP_DAYS", "7"))

# How long a computed list of free slots may be served from the cache (0: never cached).
SLOT_CACHE_SECONDS = int(os.environ.get("SLOT_CACHE_SECONDS", "30"))

# Failed log-ins (and wrong two-factor codes) allowed per window before a pause: per user name
# and client address, and per client address whatever the names.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))

# Two-factor sign-in for staff: when on, staff without an authenticator app must set one up
# before any staff page opens. Staff who set one up always need a code, whatever this says.
STAFF_2FA_REQUIRED = env_bool("STAFF_2FA_REQUIRED")
OTP_TOTP_ISSUER = "sotclinic"

# Prometheus metrics at /metrics (sotclinic.monitoring.metrics): for a scraper sending this token
# as a bearer token; without one, only for requests made on this machine, not through a proxy.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Nothing about patients goes into logs: only warnings and errors, without request bodies.
# Signed links carry their token in the URL path; the loggers that write paths redact it, and
# every line passes ScrubPersonalData (tokens, e-mail addresses) on its way out.
# LOG_FORMAT=json writes one JSON object per line with the request's id (production); the
# default is plain text for a person at a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}.")
_json_logs = LOG_FORMAT == "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "sotclinic.log_redaction.RedactTokensInPaths"},
        "scrub_personal_data": {"()": "sotclinic.json_logs.ScrubPersonalData"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "json": {"()": "sotclinic.json_logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["scrub_personal_data"],
            **({"formatter": "json"} if _json_logs else {}),
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "filters": ["scrub_personal_data"],
            "formatter": "json" if _json_logs else "django.server",
        },
    },
    "loggers": {
        "django.request": {"filters": ["redact_tokens"]},
        "django.security.csrf": {"filters": ["redact_tokens"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# OAuth 2 for integrators reading the FHIR API (django-oauth-toolkit). The scopes are SMART on
# FHIR's: system/… for server-to-server clients (client credentials), user/… for a staff app
# acting for the signed-in person (authorization code with PKCE). A token asks for its scopes;
# one that asks for none gets none, and the FHIR API refuses it (403). Each application may
# only have the scopes the back office allows it (sotclinic.api.models.ApplicationScopes);
# asking for another is refused with invalid_scope.
from sotclinic.api.fhir.scopes import SCOPE_DESCRIPTIONS  # noqa: E402

# The toolkit's own application model (its default), named so that sotclinic.api's models can
# point at it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": SCOPE_DESCRIPTIONS,
    "DEFAULT_SCOPES": [],
    "SCOPES_BACKEND_CLASS": "sotclinic.api.fhir.allowed_scopes.ApplicationScopesBackend",
    "APPLICATION_ADMIN_CLASS": "sotclinic.api.admin.ScopedApplicationAdmin",
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OAUTH_TOKEN_SECONDS", "3600")),
    "PKCE_REQUIRED": True,
    # The OAuth 2.0 Security BCP (RFC 9700): no implicit or password grant, PKCE with S256
    # only, tokens only in the Authorization header, the `iss` authorization-response
    # parameter (RFC 9207), and tokens stored as hashes, never as the bearer value itself.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # A replayed refresh token revokes its whole family; redirect URIs must be https.
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

# Error reports to Sentry, only when a DSN is given; never with personal data
# (sotclinic.monitoring.sentry).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from sotclinic.monitoring.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", ""),
        release=os.environ.get("SENTRY_RELEASE", ""),
    )
