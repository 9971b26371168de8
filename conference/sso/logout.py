"""Single logout: logging out here also ends the session at the company's provider (OpenID
Connect RP-initiated logout), which then sends the person back to this site's login page.

The logout form may only lead to this site (the Content-Security-Policy's ``form-action
'self'``, which browsers apply to the redirects after a form too), so the logout answers with
a redirect to a page here that sends the browser on to the provider.

The sign-in keeps the provider's ID token in the session: the provider wants it back as
``id_token_hint`` to know whose session to end. A session cookie holds about 4 kB, so a token
too long to keep (Entra ID puts up to 200 group ids in its tokens) is not kept; the logout
then names this site by its ``client_id`` instead, as the specification allows.
"""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.common.urls import add_params_to_uri
from flask import current_app, redirect, session, url_for
from requests import RequestException

from conference.feeds.links import public_base_url
from conference.sso import client as sso

SIGNED_IN_KEY = "sso_signed_in"
ID_TOKEN_KEY = "sso_id_token"  # noqa: S105 - a session key, not a secret
ID_TOKEN_MAX_LENGTH = 2000
PROVIDER_LOGOUT_KEY = "sso_provider_logout"


def remember_sign_in(id_token: str | None) -> None:
    """Note in the (new) session that the person came through the provider, with its ID token."""
    session[SIGNED_IN_KEY] = True
    if id_token and len(id_token) <= ID_TOKEN_MAX_LENGTH:
        session[ID_TOKEN_KEY] = id_token


def provider_logout_url() -> str | None:
    """Where to send the person once logged out here so that the provider ends its session too;
    None to stay local (logged in with a password, single logout off, or a provider without an
    ``end_session_endpoint``). Read it before the session is cleared."""
    if not session.get(SIGNED_IN_KEY) or not sso.single_logout():
        return None
    try:
        endpoint = sso.client().load_server_metadata().get("end_session_endpoint")
    except (RequestException, ValueError, AuthlibBaseError):
        current_app.logger.warning("Single logout: the provider could not be reached; logged out here only")
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    params = [
        ("client_id", current_app.config["OIDC_CLIENT_ID"]),
        ("post_logout_redirect_uri", public_base_url() + url_for("accounts.login")),
    ]
    id_token = session.get(ID_TOKEN_KEY)
    if id_token:
        params.insert(0, ("id_token_hint", id_token))
    return add_params_to_uri(endpoint, params)


def continue_at_provider(provider_logout: str):
    """Once logged out here (the session cleared): the redirect to the page that sends the
    browser on to ``provider_logout``."""
    session[PROVIDER_LOGOUT_KEY] = provider_logout
    return redirect(url_for("sso.provider_logout"))
