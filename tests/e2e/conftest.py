"""A live server on 127.0.0.1 and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI, make_test_app

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("CI requires Debian's chromium for the browser tests (apt-get install chromium).")
        pytest.skip("chromium is not installed; `make test` installs it when run as root.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(timezone_id="America/New_York", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def live_server(tmp_path):
    """The app served by a real HTTP server in a thread, on a fresh SQLite database."""
    app = make_test_app(f"sqlite:///{tmp_path / 'live.db'}", WTF_CSRF_ENABLED=True,
                        SERVER_NAME=None, PUBLIC_URL=None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            from conference.extensions import db

            db.engine.dispose()
