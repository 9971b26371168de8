"""The app's OpenID Connect client (Authlib), one per app, built from OIDC_* settings."""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

PROVIDER = "company"
# Seconds to wait for the provider (discovery, keys, token and userinfo requests).
PROVIDER_TIMEOUT = 10


def enabled(config=None) -> bool:
    """Whether OIDC_ISSUER names a provider (config's check ensures the client's id and secret)."""
    config = config if config is not None else current_app.config
    return bool(config.get("OIDC_ISSUER"))


def password_login(config=None) -> bool:
    """Whether people log in (and register, and reset passwords) with a password here.

    PASSWORD_LOGIN=off only counts with single sign-on on: a site must keep one way in.
    """
    config = config if config is not None else current_app.config
    return not enabled(config) or bool(config.get("PASSWORD_LOGIN", True))


def groups_claim(config=None) -> str:
    """The claim that lists the person's company groups (OIDC_GROUPS_CLAIM)."""
    config = config if config is not None else current_app.config
    return str(config.get("OIDC_GROUPS_CLAIM") or "groups").strip() or "groups"


def admin_groups(config=None) -> frozenset[str]:
    """The company groups whose members are site admins (OIDC_ADMIN_GROUPS, commas between)."""
    config = config if config is not None else current_app.config
    value = config.get("OIDC_ADMIN_GROUPS") or ""
    names = value.split(",") if isinstance(value, str) else value
    return frozenset(name.strip() for name in names if name.strip())


def single_logout(config=None) -> bool:
    """Whether logging out here ends the session at the provider too (OIDC_SINGLE_LOGOUT)."""
    config = config if config is not None else current_app.config
    return enabled(config) and bool(config.get("OIDC_SINGLE_LOGOUT", True))


def init_app(app: Flask) -> None:
    if not enabled(app.config):
        return
    oauth = OAuth(app)
    oauth.register(
        PROVIDER,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{app.config['OIDC_ISSUER']}/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "default_timeout": PROVIDER_TIMEOUT,
        },
    )
    app.extensions["sso_client"] = oauth.create_client(PROVIDER)


def client():
    return current_app.extensions["sso_client"]
