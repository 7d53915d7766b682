"""One env-driven settings module.

SQLite (WAL) unless DATABASE_URL points at PostgreSQL. Secrets come from the
environment or from ``<NAME>_FILE``; a development machine gets generated keys in
``var/`` so that ``make run`` works on a fresh clone.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    if name in os.environ:
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
TESTING = env_bool("GONGHUI_TESTING", "pytest" in sys.modules)


def _dev_secrets() -> dict[str, str]:
    """Generated once per development checkout; production sets every secret in the environment."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    data = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "GONGHUI_FIELD_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "GONGHUI_BLIND_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return data


_needs_dev = any(env(k) is None for k in ("SECRET_KEY", "GONGHUI_FIELD_KEYS", "GONGHUI_BLIND_INDEX_KEY"))
_dev = _dev_secrets() if _needs_dev else {}
SECRET_KEY = env("SECRET_KEY") or _dev["SECRET_KEY"]

# Field encryption: "kid:base64key,kid2:base64key"; the first one listed encrypts, all decrypt.
FIELD_KEYS_RAW = env("GONGHUI_FIELD_KEYS") or _dev["GONGHUI_FIELD_KEYS"]
BLIND_INDEX_KEY = env("GONGHUI_BLIND_INDEX_KEY") or _dev["GONGHUI_BLIND_INDEX_KEY"]

ALLOWED_HOSTS = [h for h in (env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver") or "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "gonghui.audit",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.people",
    "gonghui.alliances",
    "gonghui.imports",
    "gonghui.activities",
    "gonghui.training",
    "gonghui.reports",
    "gonghui.money",
    "gonghui.hardship",
    "django_tasks_db",
    "gonghui.web",
    "gonghui.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gonghui.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gonghui.accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# One-row reads without the ORM compiler on every request (gonghui/accounts/backends.py).
AUTHENTICATION_BACKENDS = ["gonghui.accounts.backends.Backend"]
SESSION_ENGINE = "gonghui.accounts.backends"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gonghui" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.web.context.scope",
            ],
        },
    }
]


def _database() -> dict:
    url = env("DATABASE_URL")
    conn_max_age = int(env("CONN_MAX_AGE", "600") or 600)
    if url and url.startswith(("postgres://", "postgresql://")):
        u = urlparse(url)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(u.path.lstrip("/")),
            "USER": unquote(u.username or ""),
            "PASSWORD": unquote(u.password or ""),
            "HOST": u.hostname or "",
            "PORT": str(u.port or ""),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": env("GONGHUI_PG_TEST_NAME", None)},
        }
    path = env("SQLITE_PATH") or str(VAR_DIR / "gonghui.sqlite3")
    return {
        # Django's backend with writers queued on a file lock (gonghui/lib/sqlite/base.py).
        "ENGINE": "gonghui.lib.sqlite",
        "NAME": path,
        "CONN_MAX_AGE": conn_max_age,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # FULL: money and audit rows must survive power loss, not only process crashes.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;PRAGMA cache_size=-65536;PRAGMA temp_store=MEMORY;"
            ),
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout counts per account, never per IP: a whole factory shares one address.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60

SESSION_COOKIE_AGE = 30 * 60  # idle timeout, refreshed by SessionLifetimeMiddleware
SESSION_REFRESH_SECONDS = 60  # at most one session write a minute per user, not one per request
SESSION_ABSOLUTE_SECONDS = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("GONGHUI_SECURE_COOKIES", not DEBUG and not TESTING and env("DJANGO_ENV") == "production")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env("DJANGO_ENV") == "production":
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads spool to a temporary file

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gonghui" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
# Front-end libraries come from npm (package-lock.json pins them; `npm ci` in `make install`).
NODE_MODULES_DIR = BASE_DIR / "node_modules"
NODE_STATIC_FILES = {"vendor/echarts.min.js": "echarts/dist/echarts.min.js"}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "gonghui.reports.finders.NodeModulesFinder",
]
MEDIA_ROOT = Path(env("MEDIA_ROOT") or VAR_DIR / "media")

# Uploads go through the storage API: local files by default; several app servers share an
# S3-compatible bucket (django-storages, installed on such deployments) via GONGHUI_STORAGE=s3.
if env("GONGHUI_STORAGE") == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL"),
            "access_key": env("S3_ACCESS_KEY"),
            "secret_key": env("S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# Behind a trusted reverse proxy, the number of proxies whose X-Forwarded-For entries we trust.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0") or 0)

PAGE_SIZE = 50

# Background work: Django's tasks API on the ORM-backed queue (`manage.py db_worker`); tests run
# tasks immediately.
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
    }
}

# Money: approval thresholds on the cumulative amount per subject × programme × year, in fen.
# Above each limit a step at that level of the tree joins the chain (see gonghui/money/approval.py).
MONEY_APPROVAL_THRESHOLDS = [("province", 2_000_000), ("national", 5_000_000)]
