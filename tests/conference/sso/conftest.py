"""A real OpenID Connect provider (node-oidc-provider, tests/node_tools) and an app that
logs in through it. The provider's development login form takes any password; the login
names the account (ACCOUNTS below, else <login>@acme.example, verified); `directory` moves
people between the company's groups."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from conference.extensions import db as _db
from tests.conftest import IN_CI, _empty_all_tables, make_test_app

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "node_tools"
CLIENT_ID, CLIENT_SECRET = "conference-planner", "a-secret-only-for-tests"
CALLBACK = "http://conference.test/login/sso/callback"
AFTER_LOGOUT = "http://conference.test/login"
ACCOUNTS = {
    "asha": {"email": "Asha.Rao@acme.example", "email_verified": True, "name": "Asha  Rao", "zoneinfo": "Asia/Kolkata"},
    "unverified": {"email": "taken@acme.example", "email_verified": False, "name": "Not Sure"},
    "nomail": {"name": "No Mail"},
    "oddzone": {"email": "odd@acme.example", "email_verified": True, "zoneinfo": "Mars/Olympus"},
    "grace": {"email": "grace@acme.example", "email_verified": True, "name": "Grace Hopper",
              "groups": ["eng-summit-reviewers", "everyone"]},
    "linus": {"email": "linus@acme.example", "email_verified": True, "name": "Linus T",
              "groups": ["platform-admins"]},
}


@dataclass(frozen=True)
class Provider:
    issuer: str
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_provider(
    redirect_uris: list[str], port: int | None = None, post_logout_redirect_uris: list[str] = (),
    single_logout: bool = True,
) -> Provider:
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        reason = "node and tests/node_tools/node_modules (make node-tools) are needed for the single sign-on tests."
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    port = port or free_port()
    env = {
        "PATH": "/usr/bin:/bin", "PORT": str(port), "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": " ".join(redirect_uris), "ACCOUNTS": json.dumps(ACCOUNTS),
        "POST_LOGOUT_REDIRECT_URIS": " ".join(post_logout_redirect_uris),
        "SINGLE_LOGOUT": "on" if single_logout else "off",
    }
    process = subprocess.Popen(
        [node, str(PROVIDER_DIR / "provider.mjs")], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )
    deadline = time.monotonic() + 30
    issuer = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return Provider(issuer, process)
        except requests.ConnectionError:
            time.sleep(0.1)
        if process.poll() is not None:
            break
    process.kill()
    process.wait()
    pytest.fail("The OpenID Connect provider did not start.")


def stop_provider(provider: Provider) -> None:
    provider.process.terminate()
    provider.process.wait(timeout=10)
    provider.process.stdout.close()


@pytest.fixture(scope="session")
def oidc_provider():
    provider = start_provider([CALLBACK], post_logout_redirect_uris=[AFTER_LOGOUT])
    yield provider
    stop_provider(provider)


def set_claims(provider: Provider, login: str, claims: dict) -> None:
    """What the company's directory says about ``login`` from now on (its next log-in)."""
    answer = requests.put(f"{provider.issuer}/test/accounts/{login}", data=json.dumps(claims), timeout=5)
    assert answer.status_code == 204, answer.text


@pytest.fixture
def directory(oidc_provider):
    """Move people between groups: ``directory(login, [groups])``; put back after the test."""
    changed: set[str] = set()

    def move(login: str, groups: object) -> None:
        claims = ACCOUNTS.get(login, {"email": f"{login}@acme.example", "email_verified": True})
        set_claims(oidc_provider, login, {**claims, "groups": groups})
        changed.add(login)

    yield move
    for login in changed:
        set_claims(oidc_provider, login, ACCOUNTS.get(login, {"email": f"{login}@acme.example", "email_verified": True}))


@pytest.fixture
def sso_settings(oidc_provider) -> dict:
    return {
        "OIDC_ISSUER": oidc_provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_PROVIDER_NAME": "Acme SSO", "OIDC_EMAILS_VERIFIED": False, "PASSWORD_LOGIN": True,
    }


@pytest.fixture
def app(database_url, sso_settings):
    app = make_test_app(database_url, **sso_settings)
    with app.app_context():
        yield app
        _db.session.remove()
        _empty_all_tables()
        _db.session.remove()
        _db.engine.dispose()


def _form_action(page: requests.Response) -> str:
    return urljoin(page.url, re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1))


def sign_in_at_provider(
    authorize_url: str, login: str, *, cancel: bool = False, browser: requests.Session | None = None
) -> str:
    """Play the person's browser at the provider (a new one unless given: no session there
    yet); the address it sends them back to."""
    with requests.Session() if browser is None else nullcontext(browser) as browser:
        page = browser.get(authorize_url, timeout=10)
        assert 'name="login"' in page.text, page.text[:500]
        if cancel:
            answer = browser.get(urljoin(page.url, re.search(r'href="([^"]*/abort)"', page.text).group(1)),
                                 allow_redirects=False, timeout=10)
        else:
            answer = browser.post(_form_action(page), data={"prompt": "login", "login": login, "password": "x"},
                                  allow_redirects=False, timeout=10)
        for _ in range(10):
            if answer.is_redirect:
                location = urljoin(answer.url, answer.headers["Location"])
                if location.startswith(CALLBACK):
                    return location
                answer = browser.get(location, allow_redirects=False, timeout=10)
            elif 'name="prompt" value="consent"' in answer.text:
                answer = browser.post(_form_action(answer), data={"prompt": "consent"}, allow_redirects=False, timeout=10)
            else:
                raise AssertionError(f"Unexpected page at the provider: {answer.status_code} {answer.text[:300]}")
        raise AssertionError("Too many redirects at the provider")


def sso_login(
    client, login: str, *, next_page: str | None = None, cancel: bool = False,
    browser: requests.Session | None = None,
):
    """The whole round trip; the app's answer to the callback."""
    start = client.get("/login/sso", query_string={"next": next_page} if next_page else None)
    assert start.status_code == 302, start.get_data(as_text=True)
    return client.get(sign_in_at_provider(start.headers["Location"], login, cancel=cancel, browser=browser))
