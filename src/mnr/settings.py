"""Django settings for mnr, read from environment variables.

Zero configuration gives SQLite in a data directory (``MNR_DATA_DIR``, default ``./var``) with a
generated secret key kept there; ``DATABASE_URL`` selects PostgreSQL (or another SQLite file).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MNR_DATA_DIR", Path.cwd() / "var")).resolve()

# MNR_ENV: "development" (unset: the default, also the demo and the tests) or "production", which
# turns on what docs/deployment-settings.md lists and refuses to start without a secret key and
# host names of its own. Anything else is a typo that must not silently mean development.
MNR_ENV = os.environ.get("MNR_ENV", "") or "development"
if MNR_ENV not in ("development", "production"):
    raise ImproperlyConfigured(
        f"MNR_ENV={MNR_ENV!r} is not an environment mnr knows: use 'development' (the default) "
        "or 'production'."
    )
PRODUCTION = MNR_ENV == "production"


def _secret_key() -> str:
    if PRODUCTION:
        return _production_secret_key()
    if key := os.environ.get("MNR_SECRET_KEY"):
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _production_secret_key() -> str:
    """The key from MNR_SECRET_KEY or the file MNR_SECRET_KEY_FILE names, and a strong one.

    Production never generates one into the data directory: every host of a deployment must sign
    with the same key, and a key nobody chose is one nobody backs up or rotates.
    """
    key = os.environ.get("MNR_SECRET_KEY", "")
    if not key and (key_file := os.environ.get("MNR_SECRET_KEY_FILE")):
        try:
            key = Path(key_file).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"MNR_SECRET_KEY_FILE={key_file}: cannot read it ({error.strerror})."
            ) from error
    if not key:
        raise ImproperlyConfigured(
            "MNR_ENV=production needs a secret key: set MNR_SECRET_KEY, or MNR_SECRET_KEY_FILE to "
            "a file holding it (for example: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))')."
        )
    # What Django's deployment check (security.W009) calls strong.
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "The production secret key is too weak: it needs at least 50 characters, at least 5 "
            "of them different, and no 'django-insecure-' prefix."
        )
    return key


def _allowed_hosts() -> list[str]:
    hosts = [
        h.strip()
        for h in os.environ.get("MNR_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
        if h.strip()
    ]
    if PRODUCTION and (not os.environ.get("MNR_ALLOWED_HOSTS", "").strip() or "*" in hosts):
        raise ImproperlyConfigured(
            "MNR_ENV=production needs MNR_ALLOWED_HOSTS: the host names mnr is served under, "
            "comma-separated (for example mnr.example.org), and not '*'."
        )
    return hosts


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "mnr.sqlite3"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed while a writer works; the busy timeout makes a second writer
        # wait instead of failing with "database is locked"; IMMEDIATE takes the write lock at
        # BEGIN so two transactions cannot deadlock upgrading their read locks.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("MNR_DEBUG", "") == "1"
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured(
        "MNR_DEBUG=1 shows tracebacks and settings to anyone: refused with MNR_ENV=production."
    )
ALLOWED_HOSTS = _allowed_hosts()
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("MNR_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # The admin, open to administrators by role and read only (mnr.admin_site).
    "mnr.admin_site.MnrAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # Content-Security-Policy (docs/deployment-settings.md): its checks and nonce.
    "csp",
    # Sign-in protection (docs/security.md): lockout after repeated failures, two-factor.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mnr.accounts",
    "mnr.frameworks",
    "mnr.jurisdictions",
    "mnr.surveys",
    "mnr.evidence",
    "mnr.findings",
    "mnr.reports",
    "mnr.publications",
    "mnr.maturity",
    "mnr.web",
    "mnr.audit",
    "mnr.api",
    "mnr.operations",
    # Its templates and static files: the API's docs page is served offline (/api/docs).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session middleware, to see the session cookie it sets (mnr.security).
    "mnr.security.NoStoreForSignedInMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mnr.accounts.middleware.IdleTimeoutMiddleware",
    "mnr.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Refuses bodies over their limit before CSRF reads them (mnr.web.request_limits).
    "mnr.web.request_limits.RequestSizeLimitMiddleware",
    # A value the database refuses (a NUL on PostgreSQL) is a 400 page, not a 500.
    "mnr.web.request_limits.DatabaseRefusalMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mnr.urls"
WSGI_APPLICATION = "mnr.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": _database()}

# Report builds run as background tasks, queued in the database and run by `mnr worker` (which
# `mnr serve` and `mnr demo` start too). MNR_TASK_BACKEND=immediate runs them in the request
# instead (the tests do).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {"BACKEND": _TASK_BACKENDS[os.environ.get("MNR_TASK_BACKEND", "database")]}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
# The interface's languages: only those whose catalogue (src/mnr/locale) is complete, since the
# locale middleware would otherwise serve a browser asking for another one English text (in a
# right-to-left layout for Arabic). Reports have their own list, mnr.reports.texts.LANGUAGES.
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves from the app directories (finders) and expects this folder to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Invitations are mailed; without MNR_EMAIL_BACKEND (e.g. the SMTP backend with EMAIL_HOST…)
# the mail is printed on the console, which is what development wants.
EMAIL_BACKEND = os.environ.get(
    "MNR_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("MNR_EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("MNR_DEFAULT_FROM_EMAIL", "mnr@localhost")
# Evidence files attached to answers: outside the web root (never under STATIC_ROOT), served
# only through the download view to those who may see the answer (docs/evidence.md).
EVIDENCE_ROOT = Path(os.environ.get("MNR_EVIDENCE_DIR", DATA_DIR / "uploads")).resolve()
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
WHITENOISE_USE_FINDERS = True
if PRODUCTION:
    # `mnr serve` collects the static files into STATIC_ROOT with hashed names, which
    # WhiteNoise serves from there with a year's cache, and gzip copies (docs/operations.md).
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "mnr.web.static_storage.ProductionStaticFilesStorage"},
    }
    WHITENOISE_USE_FINDERS = False

# The JSON API's rate limits (requests per minute): an anonymous caller by address, a signed-in
# caller per API token or per session user. Counted in the default cache (one per process).
MNR_API_RATE_ANONYMOUS = int(os.environ.get("MNR_API_RATE_ANONYMOUS", "120"))
MNR_API_RATE_SIGNED_IN = int(os.environ.get("MNR_API_RATE_SIGNED_IN", "1200"))

# --- Sign-in (docs/security.md) -----------------------------------------------------------------
# Repeated failures lock the account (whatever address they come from) and, separately, the
# address (whatever accounts it tries) for a cool-off. The first
# backend only refuses locked-out attempts; the second checks the password.
AUTHENTICATION_BACKENDS = [
    "mnr.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("MNR_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MNR_LOGIN_COOLOFF_MINUTES", "15")))
# A complete sign-in forgets its own account's failures (mnr.accounts.lockout.forget_failures).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "mnr.accounts.lockout.lockout_response"
# Never kept in the attempts' logged form data.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# The client's address: REMOTE_ADDR, unless MNR_TRUSTED_PROXY_COUNT reverse proxies in front
# of mnr append to X-Forwarded-For (then the address they saw; a client cannot forge it).
MNR_TRUSTED_PROXY_COUNT = int(os.environ.get("MNR_TRUSTED_PROXY_COUNT", "0"))
AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...]
if MNR_TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = MNR_TRUSTED_PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    # Django's list of 20,000 passwords most often found in breaches.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Two-factor (TOTP, with recovery codes): required of administrators, analysts and reviewers
# when MNR_REQUIRE_TWO_FACTOR is 1, by default in production (MNR_ENV=production); offered to
# everyone otherwise, so that the demo's logins keep working without a phone.
_require_two_factor = os.environ.get("MNR_REQUIRE_TWO_FACTOR", "")
MNR_REQUIRE_TWO_FACTOR = (
    _require_two_factor == "1"
    if _require_two_factor in ("0", "1")
    else PRODUCTION
)
OTP_TOTP_ISSUER = os.environ.get("MNR_TWO_FACTOR_ISSUER", "mnr")

# A session ends after MNR_IDLE_TIMEOUT_MINUTES without a request, after MNR_SESSION_MAX_HOURS
# in any case, and when the browser closes (mnr.accounts.middleware.IdleTimeoutMiddleware).
MNR_IDLE_TIMEOUT_MINUTES = int(os.environ.get("MNR_IDLE_TIMEOUT_MINUTES", "30"))
MNR_SESSION_MAX_HOURS = int(os.environ.get("MNR_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = MNR_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Deployment (docs/deployment-settings.md) -------------------------------------------------
# Production serves over HTTPS only: secure cookies, HSTS, a redirect of plain http. Development
# keeps plain http on localhost. MNR_PROXY_SSL_HEADER names the header a TLS-terminating proxy
# sets to "https" (e.g. X-Forwarded-Proto); set it only behind such a proxy, which must overwrite
# whatever a client sent in that header.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: entry.js takes the token from the form's hidden field.
CSRF_COOKIE_HTTPONLY = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and os.environ.get("MNR_SSL_REDIRECT", "1") != "0"
SECURE_HSTS_SECONDS = int(os.environ.get("MNR_HSTS_SECONDS", "31536000")) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION and (
    os.environ.get("MNR_HSTS_INCLUDE_SUBDOMAINS", "1") != "0"
)
SECURE_HSTS_PRELOAD = PRODUCTION and os.environ.get("MNR_HSTS_PRELOAD", "") == "1"
# The deployment check's W021 asks for preload, but the preload list binds every subdomain of
# the registered domain into browsers for months and anyone may submit a domain whose header
# asks for it: that is the domain owner's decision (MNR_HSTS_PRELOAD=1), not mnr's default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if _proxy_ssl_header := os.environ.get("MNR_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy in every environment, so that the browser tests meet the production
# policy: the app loads nothing from elsewhere, runs no inline script or style without the
# request's nonce (request.csp_nonce), and no eval (the charts use Vega's interpreter,
# static/mnr/charts.js). img-src allows data: for the images Vega and the pages embed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
