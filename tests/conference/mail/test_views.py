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


def test_outbox_finds_emails_by_recipient_or_subject_and_pages_them(client, login, db):
    conference = _setup(db, login)
    for n in range(60):
        queue_email(f"person{n:02d}@example.com", f"Your slot {n:02d}", "B", f"slot:{n}", conference_id=conference.id)
    queue_email("ada@example.com", "Änderung: Zeitplan", "B", "k:de", conference_id=conference.id)
    db.session.commit()
    newest = client.get("/c/devcon/manage/outbox").get_data(as_text=True)
    assert "1–50 of 61 e-mails, newest first" in newest and "Page 1 of 2" in newest
    assert "Änderung: Zeitplan" in newest and "Your slot 11" in newest and "Your slot 10" not in newest
    older = client.get("/c/devcon/manage/outbox?page=2").get_data(as_text=True)
    assert "51–61 of 61 e-mails" in older and "Your slot 10" in older and "Your slot 11" not in older
    assert "51–61 of 61 e-mails" in client.get("/c/devcon/manage/outbox?page=7").get_data(as_text=True)
    # By recipient, by subject with case and accents ignored, and with a state filter.
    found = client.get("/c/devcon/manage/outbox?q=PERSON07").get_data(as_text=True)
    assert "1 e-mail matching “PERSON07”" in found and "Your slot 07" in found and "Your slot 08" not in found
    assert "Änderung: Zeitplan" in client.get("/c/devcon/manage/outbox?q=anderung").get_data(as_text=True)
    none = client.get("/c/devcon/manage/outbox?q=anderung&state=failed").get_data(as_text=True)
    assert "No e-mail in this state has a recipient or subject containing “anderung”." in none
    # Wildcards are plain characters, and a search never joins the recipient to the subject.
    for wildcard in ("person0_", "%"):
        page = client.get("/c/devcon/manage/outbox", query_string={"q": wildcard}).get_data(as_text=True)
        assert f"No e-mail has a recipient or subject containing “{wildcard}”." in page
    joined = client.get("/c/devcon/manage/outbox?q=example.com+your").get_data(as_text=True)
    assert "Your slot 07" not in joined


def test_outbox_message_page_shows_the_text_and_retries_back_to_itself(client, login, db):
    conference = _setup(db, login)
    failed = queue_email("failed@example.com", "Failed one", "Dear Ada,\n\n<b>not bold</b>\nBye", "k:1",
                         conference_id=conference.id)
    failed.state, failed.attempts, failed.last_error = OutboxState.FAILED, 8, "Connection refused"
    foreign = queue_email("x@example.com", "Foreign", "B", "k:3", conference_id=ConferenceFactory(slug="other").id)
    db.session.commit()
    listing = client.get("/c/devcon/manage/outbox").get_data(as_text=True)
    assert f'href="/c/devcon/manage/outbox/{failed.id}"' in listing
    page = client.get(f"/c/devcon/manage/outbox/{failed.id}").get_data(as_text=True)
    assert "Dear Ada,\n\n&lt;b&gt;not bold&lt;/b&gt;\nBye" in page  # the text as sent, escaped
    assert "failed@example.com" in page and "Connection refused" in page and "Retry now" in page
    assert client.get(f"/c/devcon/manage/outbox/{foreign.id}").status_code == 404
    response = client.post(f"/c/devcon/manage/outbox/{failed.id}/retry", data={"back": "message"})
    assert response.headers["Location"].endswith(f"/c/devcon/manage/outbox/{failed.id}")
    assert "Retry now" not in client.get(f"/c/devcon/manage/outbox/{failed.id}").get_data(as_text=True)


def test_retrying_from_a_filtered_outbox_page_returns_to_it(client, login, db):
    conference = _setup(db, login)
    failed = queue_email("failed@example.com", "Failed one", "B", "k:1", conference_id=conference.id)
    failed.state = OutboxState.FAILED
    db.session.commit()
    page = client.get("/c/devcon/manage/outbox?state=failed&q=failed").get_data(as_text=True)
    action = f"/c/devcon/manage/outbox/{failed.id}/retry?state=failed&amp;q=failed"
    assert action in page
    response = client.post(action.replace("&amp;", "&"))
    assert response.headers["Location"].endswith("/c/devcon/manage/outbox?state=failed&q=failed")
