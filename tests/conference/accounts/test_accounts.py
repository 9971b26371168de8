from sqlalchemy import func, select

from conference.accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory


def _register(client, **fields):
    data = {
        "email": "new.person@example.com",
        "display_name": "New Person",
        "time_zone": "Asia/Kolkata",
        "password": "a long enough password",
        "confirm_password": "a long enough password",
    }
    data.update(fields)
    return client.post("/register", data=data)


def test_register_creates_account_hashed_with_scrypt_and_logs_in(client, db):
    response = _register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.person@example.com"))
    assert user.time_zone == "Asia/Kolkata"
    assert user.password_hash.startswith("scrypt:")
    assert "New Person" in client.get("/").get_data(as_text=True)


def test_register_with_invalid_time_zone_rerenders_with_message_and_input(client, db):
    response = _register(client, time_zone="BST")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is not a time zone name we know" in body
    assert 'value="new.person@example.com"' in body
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_register_twice_with_same_email_does_not_create_duplicate(client, db):
    _register(client)
    client.post("/logout")
    response = _register(client, email="NEW.person@example.com")
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_register_short_password_is_refused(client, db):
    response = _register(client, password="short", confirm_password="short")
    assert "Use 10 to 200 characters." in response.get_data(as_text=True)


def test_login_with_wrong_password_and_unknown_email_say_the_same(client, db):
    UserFactory(email="known@example.com")
    db.session.commit()
    wrong_password = client.post("/login", data={"email": "known@example.com", "password": "nope nope nope"})
    unknown_email = client.post("/login", data={"email": "ghost@example.com", "password": "nope nope nope"})
    assert wrong_password.status_code == unknown_email.status_code == 200
    message = "That e-mail and password do not match an account."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)
    assert "ghost@example.com" not in unknown_email.get_data(as_text=True).replace('value="ghost@example.com"', "")


def test_login_redirects_only_to_same_site_next(client, db):
    UserFactory(email="a@example.com")
    db.session.commit()
    response = client.post("/login", data={"email": "a@example.com", "password": DEFAULT_PASSWORD, "next": "//evil.example/x"})
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


def test_login_follows_safe_next(client, db):
    UserFactory(email="a@example.com")
    db.session.commit()
    response = client.post("/login", data={"email": "a@example.com", "password": DEFAULT_PASSWORD, "next": "/account"})
    assert response.headers["Location"].endswith("/account")


def test_login_clears_pre_login_session_data(client, db):
    UserFactory(email="a@example.com")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/login", data={"email": "a@example.com", "password": DEFAULT_PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_logout_requires_post_and_ends_session(client, login):
    login()
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_change_password_requires_current_password(client, login, db):
    user = login()
    response = client.post("/account/password", data={
        "current_password": "wrong wrong wrong", "new_password": "brand new password",
        "confirm_password": "brand new password"})
    assert "That is not your current password." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(DEFAULT_PASSWORD)


def test_change_password_ends_other_sessions_but_keeps_this_one(app, client, login, db):
    user = login()
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    assert other.get("/account").status_code == 200
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": "brand new password",
        "confirm_password": "brand new password"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_profile_updates_time_zone_shown_in_footer(client, login):
    login()
    client.post("/account", data={"display_name": "Renamed", "time_zone": "America/New_York"})
    body = client.get("/").get_data(as_text=True)
    assert "America/New_York" in body
    assert "Renamed" in body


def test_csrf_token_is_required_for_login_when_enabled(database_url):
    from tests.conftest import make_test_app

    app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        response = app.test_client().post("/login", data={"email": "a@example.com", "password": "x" * 12})
        assert response.status_code == 400
        from conference.extensions import db

        db.engine.dispose()
