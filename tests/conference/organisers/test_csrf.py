import re

from conference.conferences.models import Hub, Role
from tests.conference.organisers.conftest import count, make_user
from tests.conftest import make_test_app
from tests.factories import DEFAULT_PASSWORD, HubFactory, RoleFactory

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def test_delete_button_without_csrf_token_is_refused(database_url, conference, db):
    csrf_app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    hub = HubFactory(conference=conference)
    organiser = RoleFactory(conference=conference, user=make_user(), role=Role.ORGANISER).user
    db.session.commit()
    client = csrf_app.test_client()
    try:
        login_token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
        client.post(
            "/login",
            data={"email": organiser.email, "password": DEFAULT_PASSWORD, "csrf_token": login_token},
        )
        delete_url = f"/c/devcon/manage/hubs/{hub.id}/delete"
        assert client.post(delete_url).status_code == 400
        assert count(db, Hub) == 1
        page_token = TOKEN.search(client.get("/c/devcon/manage/hubs").get_data(as_text=True)).group(1)
        assert client.post(delete_url, data={"csrf_token": page_token}).status_code == 302
        assert count(db, Hub) == 0
    finally:
        with csrf_app.app_context():
            db.engine.dispose()
