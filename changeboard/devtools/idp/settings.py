"""Settings of the local OpenID Connect provider (not Changeboard's): its
own SQLite file, secret key and RS256 signing key in its data directory
(`CHANGEBOARD_IDP_DATA`, made by `data.prepare`), its own cookie names (the
provider and Changeboard share the host 127.0.0.1, and cookies ignore ports)."""

from __future__ import annotations

import os
from pathlib import Path

from .data import prepare

DATA = Path(os.environ.get("CHANGEBOARD_IDP_DATA", Path(__file__).resolve().parents[3] / "var" / "idp")).resolve()
FILES = prepare(DATA)

DEBUG = False
SECRET_KEY = FILES.secret_key
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "changeboard.devtools.idp",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "changeboard.devtools.idp.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [Path(__file__).resolve().parent / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request", "django.contrib.auth.context_processors.auth"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA / "idp.sqlite3", "OPTIONS": {"timeout": 20}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
USE_TZ = True
LOGIN_URL = "/login/"
SESSION_COOKIE_NAME = "idp_sessionid"
CSRF_COOKIE_NAME = "idp_csrftoken"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": FILES.signing_key,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "changeboard.devtools.idp.validators.ClaimsValidator",
    "SCOPES": {"openid": "OpenID Connect", "email": "Email address", "profile": "Name and staff number"},
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
}
