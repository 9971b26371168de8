from conference import create_app


def test_create_app_testing_flag_is_taken_from_config(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"})
    assert app.testing


def test_create_app_without_secret_key_generates_one_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/a.db")
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 40
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_create_app_reads_database_url_and_normalises_postgres_scheme(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.example/conf")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.example/conf"


def test_create_app_defaults_to_sqlite_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "k")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'conference.db'}"


def test_session_cookies_are_hardened(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_secure_when_public_url_is_https(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("PUBLIC_URL", "https://conf.example.com")
    assert create_app().config["SESSION_COOKIE_SECURE"] is True


def test_create_app_reads_materials_feeds_and_feedback_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("MATERIALS_MAX_BYTES", "1048576")
    monkeypatch.setenv("MATERIALS_FOLDER", str(tmp_path / "slides"))
    monkeypatch.setenv("FEEDS_VERSION_CHECK_SECONDS", "0")
    monkeypatch.setenv("RATELIMIT_FEEDBACK", "5 per minute")
    app = create_app()
    assert app.config["MATERIALS_MAX_BYTES"] == 1048576
    assert app.config["MATERIALS_FOLDER"] == str(tmp_path / "slides")
    assert app.config["FEEDS_VERSION_CHECK_SECONDS"] == 0.0
    assert app.config["RATELIMIT_FEEDBACK"] == "5 per minute"


def test_create_app_leaves_unset_optional_settings_to_their_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k")
    for name in ("MATERIALS_MAX_BYTES", "MATERIALS_FOLDER", "FEEDS_VERSION_CHECK_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert "MATERIALS_FOLDER" not in app.config
    assert app.config["RATELIMIT_FEEDBACK"] == "30 per minute"
