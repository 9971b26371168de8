from sqlalchemy import select

from conference.conferences.models import Role
from conference.mail.models import EmailTemplate, OutboxMessage, OutboxState
from conference.mail.operations import queue_email
from conference.mail.templates import DEFAULT_TEMPLATES
from tests.conference.organisers.conftest import make_user
from tests.factories import ConferenceFactory, RoleFactory

PAGES = [
    "/c/devcon/manage/emails",
    "/c/devcon/manage/emails/decision_accepted",
    "/c/devcon/manage/outbox",
]


def _setup(db, login, role=Role.ORGANISER, slug="devcon"):
    conference = ConferenceFactory(slug="devcon", name="DevCon")
    target = conference if slug == "devcon" else ConferenceFactory(slug=slug)
    user = RoleFactory(conference=target, user=make_user(), role=role).user
    db.session.commit()
    login(user)
    return conference


def test_email_pages_are_for_organisers_of_that_conference_only(client, login, db):
    conference = _setup(db, login, slug="other")
    message = queue_email("a@example.com", "S", "B", "k:1", conference_id=conference.id)
    message.state = OutboxState.FAILED
    db.session.commit()
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    assert client.post("/c/devcon/manage/emails/decision_accepted",
                       data={"subject": "x", "body": "y", "save": "Save"}).status_code == 403
    assert client.post(f"/c/devcon/manage/outbox/{message.id}/retry").status_code == 403
    assert db.session.scalars(select(EmailTemplate)).all() == []


def test_email_pages_anonymous_redirect_to_login(client, db):
    ConferenceFactory(slug="devcon")
    db.session.commit()
    for path in PAGES:
        assert "/login" in client.get(path).headers["Location"], path


def test_template_list_shows_every_kind_and_edit_shows_a_preview(client, login, db):
    _setup(db, login)
    body = client.get("/c/devcon/manage/emails").get_data(as_text=True)
    for default in DEFAULT_TEMPLATES.values():
        assert default.label in body
    page = client.get("/c/devcon/manage/emails/decision_accepted").get_data(as_text=True)
    assert "Accepted: Scaling our build farm" in page  # the default rendered with sample values
    assert client.get("/c/devcon/manage/emails/nonsense").status_code == 404


def test_saving_a_template_validates_placeholders(client, login, db):
    conference = _setup(db, login)
    url = "/c/devcon/manage/emails/decision_rejected"
    response = client.post(url, data={"subject": "About {{ titel }}", "body": "Hi {{ speaker }}", "save": "Save"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "&#39;titel&#39; is undefined" in page and "About {{ titel }}" in page
    unsafe = client.post(url, data={"subject": "x", "body": "{{ ''.__class__.__mro__ }}", "save": "Save"})
    assert unsafe.status_code == 422 and "does not render" in unsafe.get_data(as_text=True)
    too_long = client.post(url, data={"subject": "x", "body": "y" * 10_001, "save": "Save"})
    assert too_long.status_code == 422
    assert db.session.scalars(select(EmailTemplate)).all() == []
    preview = client.post(url, data={"subject": "Sorry, {{ speaker }}", "body": "On {{ title }}",
                                     "preview": "Preview"})
    assert preview.status_code == 200 and "Sorry, Ada Lovelace" in preview.get_data(as_text=True)
    assert db.session.scalars(select(EmailTemplate)).all() == []
    for _ in range(2):
        saved = client.post(url, data={"subject": "Sorry, {{ speaker }}", "body": "On {{ title }}",
                                       "save": "Save"})
        assert saved.status_code == 302
    db.session.expire_all()
    [template] = db.session.scalars(select(EmailTemplate)).all()
    assert (template.conference_id, template.kind, template.subject) == (
        conference.id, "decision_rejected", "Sorry, {{ speaker }}")
    assert client.post(f"{url}/reset").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(EmailTemplate)).all() == []


def test_outbox_lists_this_conferences_messages_and_retries_failed_ones(client, login, db):
    conference = _setup(db, login)
    failed = queue_email("failed@example.com", "Failed one", "B", "k:1", conference_id=conference.id)
    failed.state, failed.attempts, failed.last_error = OutboxState.FAILED, 8, "Connection refused"
    queue_email("pending@example.com", "Pending one", "B", "k:2", conference_id=conference.id)
    foreign = queue_email("x@example.com", "Foreign", "B", "k:3",
                          conference_id=ConferenceFactory(slug="other").id)
    foreign.state = OutboxState.FAILED
    db.session.commit()
    page = client.get("/c/devcon/manage/outbox").get_data(as_text=True)
    assert "Failed one" in page and "Pending one" in page and "Connection refused" in page
    assert "Foreign" not in page
    assert "Pending one" not in client.get("/c/devcon/manage/outbox?state=failed").get_data(as_text=True)
    assert client.post(f"/c/devcon/manage/outbox/{foreign.id}/retry").status_code == 404
    assert client.post(f"/c/devcon/manage/outbox/{failed.id}/retry").status_code == 302
    db.session.expire_all()
    retried = db.session.get(OutboxMessage, failed.id)
    assert retried.state is OutboxState.PENDING and retried.attempts == 0
    assert db.session.get(OutboxMessage, foreign.id).state is OutboxState.FAILED
    assert client.get(f"/c/devcon/manage/outbox/{failed.id}/retry").status_code == 405
