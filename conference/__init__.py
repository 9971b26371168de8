"""The conference planning web application."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent
# One package per area, each with a ``views.blueprint``.
AREAS = (
    "accounts",
    "conferences",
    "organisers",
    "proposals",
    "reviews",
    "decisions",
    "mail",
    "interest",
    "schedule",
    "drafts",
    "agenda",
    "feeds",
    "feedback",
    "materials",
    "archive",
    "insights",
    "discussion",
    "access_codes",
    "tags",
    "api",
    "activity",
    "embed",
    "sso",
    "admin",
    "questions",
    "attendance",
    "checkin",
)


def _asset_folder(name: str) -> str:
    """Templates and static files live at the repository top; a wheel carries them in the package."""
    packaged = PACKAGE_DIR / name
    if packaged.is_dir():
        return str(packaged)
    return str(PACKAGE_DIR.parent / name)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configure, bind extensions, register every area."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or None,
        template_folder=_asset_folder("templates"),
        static_folder=_asset_folder("static"),
    )
    from conference.config import DEFAULTS, config_from_environment

    app.config.update(DEFAULTS)
    config = config or {}
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # A caller that supplies SECRET_KEY (tests) never touches the instance folder for one.
    app.config.update(
        config_from_environment(Path(app.instance_path), need_secret="SECRET_KEY" not in config)
    )
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set")

    import conference.archive.renames  # noqa: F401 - renames reach the archive in the same flush
    import conference.core.sqlite  # noqa: F401 - busy timeout and WAL for SQLite connections
    import conference.feeds.revisions  # noqa: F401 - edits that feeds show raise the feed revision
    import conference.models  # noqa: F401 - registers every table with SQLAlchemy
    from conference.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    from conference.core import web
    from conference.sso import client as sso_client

    web.init_app(app)
    sso_client.init_app(app)

    for area in AREAS:
        app.register_blueprint(importlib.import_module(f"conference.{area}.views").blueprint)

    from conference import cli

    cli.init_app(app)
    return app
