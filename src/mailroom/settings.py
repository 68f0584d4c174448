"""Django settings, read from the environment.

MAILROOM_HOME is the data folder (the SQLite database and the secret key live there);
MAILROOM_DATABASE_URL switches to PostgreSQL for scale. The mail limits below are the
platform defaults; a channel may override threshold, window and retention.
"""

import os
import socket
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from mailroom.home import data_home, secret_key


def _env_number(name: str, default: float, kind=int):
    value = os.environ.get(name)
    if value is None or value == "":
        return kind(default)
    try:
        return kind(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None


def _database(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as exc:
        raise ImproperlyConfigured(f"MAILROOM_DATABASE_URL is not usable: {exc}") from None
    if config["ENGINE"].rsplit(".", 1)[-1] not in ("sqlite3", "postgresql"):
        raise ImproperlyConfigured("MAILROOM_DATABASE_URL must be sqlite:// or postgresql://")
    return config


HOME: Path = data_home()
SECRET_KEY = secret_key(HOME)
DEBUG = os.environ.get("MAILROOM_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("MAILROOM_ALLOWED_HOSTS", "*").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "mailroom.core",
    "mailroom.helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mailroom.web.urls"
WSGI_APPLICATION = "mailroom.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_default_url = f"sqlite:///{HOME / 'mailroom.sqlite3'}"
DATABASES = {"default": _database(os.environ.get("MAILROOM_DATABASE_URL") or _default_url)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout makes concurrent writers wait for the lock instead of failing;
    # IMMEDIATE takes the write lock at BEGIN so two writers never deadlock on upgrade.
    # WAL lets readers (the web pages) go on while the receiver writes; synchronous=FULL
    # makes a commit durable before we answer 250 (the integration worker relaxes it for
    # its own connection: a lost integration is redone from the transit inbox).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": _env_number("MAILROOM_DB_TIMEOUT", 30, float),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(HOME / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same bound on lock waits: a blocked insert fails and the receiver answers 451
    # long before the sending MTA gives up and retries a mail we might still commit.
    _lock_ms = int(_env_number("MAILROOM_DB_TIMEOUT", 30, float) * 1000)
    DATABASES["default"]["OPTIONS"] = {"options": f"-c lock_timeout={_lock_ms}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
LOGIN_URL = "/admin/login/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MAILROOM_LOG_LEVEL", "INFO")},
    "loggers": {"mail.log": {"level": "WARNING"}},  # aiosmtpd's per-command chatter
}

# Platform defaults (the seed's numbers); see mailroom.core.limits for per-channel values.
MAILROOM = {
    "HOSTNAME": os.environ.get("MAILROOM_HOSTNAME", socket.gethostname()),
    "PLATFORM_DOMAIN": os.environ.get("MAILROOM_PLATFORM_DOMAIN", "in.mailroom.localhost"),
    "MAX_MAIL_BYTES": _env_number("MAILROOM_MAX_MAIL_BYTES", 25 * 1024 * 1024),
    "RETENTION_DAYS": _env_number("MAILROOM_RETENTION_DAYS", 5),
    "BLOCK_THRESHOLD": _env_number("MAILROOM_BLOCK_THRESHOLD", 10),
    "BLOCK_WINDOW_HOURS": _env_number("MAILROOM_BLOCK_WINDOW_HOURS", 24),
    # Wall-clock limit of parsing one mail; a legitimate 25 MB mail parses in well under 1 s.
    "PARSE_TIMEOUT_S": _env_number("MAILROOM_PARSE_TIMEOUT_S", 4, float),
}
