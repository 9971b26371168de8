"""Flask extensions, created once and bound to the app in ``create_app``."""

import flask_limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter that reads its settings from every app it is bound to.

    The stock extension keeps prefix, strategy and header settings from the first app it meets;
    the factory makes one app per test and per worker, each with its own configuration.
    """

    _PER_APP_SETTINGS = (
        "_key_prefix",
        "_headers_enabled",
        "_strategy",
        "_retry_after",
        "_swallow_errors",
        "_fail_on_first_breach",
    )

    def init_app(self, app) -> None:
        for name in self._PER_APP_SETTINGS:
            setattr(self, name, "" if name == "_key_prefix" else None)
        self._storage_options = {}
        self._storage_dead = False
        super().init_app(app)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Keyed by request.remote_addr, which ProxyFix (PROXY_COUNT) has already set to the address the
# nearest trusted proxy saw, so a client-written X-Forwarded-For entry cannot pick its own key.
limiter = Limiter(get_remote_address)
