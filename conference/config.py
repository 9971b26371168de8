"""Configuration read from environment variables (documented in README.md)."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept on disk."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create exclusively so two workers starting together keep a single key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def normalise_database_url(url: str) -> str:
    """Map the common ``postgres://`` / ``postgresql://`` spellings onto the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def config_from_environment(instance_path: Path, need_secret: bool = True) -> dict:
    """Build the Flask config mapping from the process environment."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'conference.db'}"
    public_url = os.environ.get("PUBLIC_URL", "").rstrip("/")
    secure_cookies = _bool(
        os.environ.get("SESSION_COOKIE_SECURE"), public_url.startswith("https://")
    )
    return {
        "SECRET_KEY": _secret_key(instance_path) if need_secret else None,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Redis keys of the shared page cache start with this (several sites may share a Redis).
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX") or "conference",
        "PUBLIC_URL": public_url or None,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(os.environ.get("MAIL_USE_SSL")),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "conference@localhost"),
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        "STREAM_BASE_URL": os.environ.get("STREAM_BASE_URL", "https://stream.example.invalid/"),
        "EMBED_FRAME_ANCESTORS": embed_frame_ancestors(os.environ.get("EMBED_FRAME_ANCESTORS")),
        **_single_sign_on_from_environment(),
        **_security_from_environment(os.environ.get("REDIS_URL") or None),
        **_optional_settings(),
    }


# An origin a frame-ancestors source list accepts: scheme, host (perhaps "*." first), port.
_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")


def embed_frame_ancestors(value: str | None) -> str:
    """EMBED_FRAME_ANCESTORS as the sources, besides this site, that may frame the embedded agenda.

    Unset or ``*``: any site (the embed shows only the public agenda and has no buttons).
    ``none``: no other site. Otherwise origins separated by spaces, such as
    ``https://intranet.example.com https://*.wiki.example.com``.
    """
    value = (value or "*").strip()
    if value == "*":
        return "*"
    if value.lower() == "none":
        return ""
    origins = value.split()
    for origin in origins:
        if not _ORIGIN.fullmatch(origin.rstrip("/")):
            raise ValueError(
                f"EMBED_FRAME_ANCESTORS: {origin!r} is not an origin such as "
                "https://intranet.example.com (or use * for any site, none for no other site)."
            )
    return " ".join(origin.rstrip("/") for origin in origins)


def _single_sign_on_from_environment() -> dict:
    """Log-in through the company's OpenID Connect provider (README, "Single sign-on")."""
    issuer = (os.environ.get("OIDC_ISSUER") or "").strip().rstrip("/")
    client_id = (os.environ.get("OIDC_CLIENT_ID") or "").strip()
    client_secret = os.environ.get("OIDC_CLIENT_SECRET") or ""
    if issuer and not (client_id and client_secret):
        raise ValueError("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set too.")
    if issuer and not issuer.startswith(("https://", "http://")):
        raise ValueError(f"OIDC_ISSUER: {issuer!r} is not an address such as https://login.example.com.")
    return {
        "OIDC_ISSUER": issuer or None,
        "OIDC_CLIENT_ID": client_id or None,
        "OIDC_CLIENT_SECRET": client_secret or None,
        "OIDC_PROVIDER_NAME": (os.environ.get("OIDC_PROVIDER_NAME") or "").strip() or "your company account",
        "OIDC_EMAILS_VERIFIED": _bool(os.environ.get("OIDC_EMAILS_VERIFIED")),
        "PASSWORD_LOGIN": _bool(os.environ.get("PASSWORD_LOGIN"), True),
        # Roles from the company's groups (conference.sso): the claim listing them, and the
        # groups whose members are site admins (commas between).
        "OIDC_GROUPS_CLAIM": (os.environ.get("OIDC_GROUPS_CLAIM") or "").strip() or "groups",
        "OIDC_ADMIN_GROUPS": (os.environ.get("OIDC_ADMIN_GROUPS") or "").strip(),
        # Logging out here also ends the session at the provider, where it offers that.
        "OIDC_SINGLE_LOGOUT": _bool(os.environ.get("OIDC_SINGLE_LOGOUT"), True),
    }


def _optional_settings() -> dict:
    """Settings that have code defaults and are only put in the config when the environment sets them."""
    settings: dict = {}
    if os.environ.get("MATERIALS_MAX_BYTES"):
        settings["MATERIALS_MAX_BYTES"] = int(os.environ["MATERIALS_MAX_BYTES"])
    if os.environ.get("MATERIALS_FOLDER"):
        settings["MATERIALS_FOLDER"] = os.environ["MATERIALS_FOLDER"]
    if os.environ.get("AGENDA_CACHE_SECONDS"):
        settings["AGENDA_CACHE_SECONDS"] = float(os.environ["AGENDA_CACHE_SECONDS"])
    if os.environ.get("AGENDA_CACHE_MB"):
        settings["AGENDA_CACHE_MB"] = float(os.environ["AGENDA_CACHE_MB"])
    if os.environ.get("AGENDA_SHARED_CACHE"):
        settings["AGENDA_SHARED_CACHE"] = _bool(os.environ["AGENDA_SHARED_CACHE"], True)
    if os.environ.get("AGENDA_VERSION_CHECK_SECONDS"):
        settings["AGENDA_VERSION_CHECK_SECONDS"] = float(os.environ["AGENDA_VERSION_CHECK_SECONDS"])
    if os.environ.get("FEEDS_VERSION_CHECK_SECONDS"):
        settings["FEEDS_VERSION_CHECK_SECONDS"] = float(os.environ["FEEDS_VERSION_CHECK_SECONDS"])
    return settings


# Flask-Limiter strings ("N per minute; M per hour"), counted per client address on POST.
RATE_LIMIT_DEFAULTS = {
    "RATELIMIT_LOGIN": "10 per minute; 60 per hour",
    "RATELIMIT_REGISTER": "5 per minute; 30 per hour",
    "RATELIMIT_PASSWORD_RESET": "5 per minute; 20 per hour",
    # Per e-mail address as well, so many addresses cannot flood one inbox.
    "RATELIMIT_PASSWORD_RESET_PER_EMAIL": "3 per hour",
    # Feedback is counted per person, not per address: a whole office may share one address.
    "RATELIMIT_FEEDBACK": "30 per minute",
    # API requests per token, across every endpoint.
    "RATELIMIT_API": "120 per minute",
    # Single sign-on round trips per client address: a whole office may share one address on
    # the first morning (the provider throttles its own log-ins).
    "RATELIMIT_SSO": "300 per minute",
    # Audience questions asked per person (conference.questions).
    "RATELIMIT_QUESTIONS": "5 per minute; 40 per hour",
    # Embedded agenda pages rendered per client address, on GET (conference.embed): a page
    # served from the kept copy (200 or 304) is not counted, as a whole office behind one
    # proxy reads the same kept page; each new set of options in the address is.
    "RATELIMIT_EMBED": "300 per minute",
}


def _security_from_environment(redis_url: str | None) -> dict:
    """Rate limits (shared through Redis when REDIS_URL is set) and password-reset lifetime."""
    storage_uri = os.environ.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://"
    settings = {
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": storage_uri,
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "conference"),
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600")),
    }
    for name, default in RATE_LIMIT_DEFAULTS.items():
        settings[name] = os.environ.get(name) or default
    return settings


DEFAULTS: dict = {
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 14,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
    # Retry-After is set on the 429 page itself; other responses carry no X-RateLimit-* noise.
    "RATELIMIT_HEADERS_ENABLED": False,
    "RATELIMIT_STRATEGY": "fixed-window",
    # A Redis outage falls back to per-process counting instead of failing logins.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
}
