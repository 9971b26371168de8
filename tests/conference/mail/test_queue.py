from sqlalchemy import func, select

from conference.mail.models import OutboxMessage, OutboxState
from conference.mail.operations import queue_email


def test_queue_email_twice_with_same_key_queues_once(db):
    first = queue_email("a@example.com", "Hello", "Body", "welcome:1")
    second = queue_email("a@example.com", "Hello again", "Body", "welcome:1")
    db.session.commit()
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert first.state is OutboxState.PENDING


def test_queue_email_subject_is_a_single_line(db):
    message = queue_email("a@example.com", "Hi\r\nBcc: victim@example.com", "Body", "k:2")
    assert "\n" not in message.subject and "\r" not in message.subject


def test_render_email_uses_default_then_organiser_override(db):
    import pytest

    from conference.mail.models import EmailTemplate
    from conference.mail.templates import TemplateProblem, render_email, render_text
    from tests.factories import ConferenceFactory

    conference = ConferenceFactory(name="Summit")
    context = {"speaker": "Ada", "title": "Engines", "conference": "Summit", "link": "http://x/1",
               "comments": ""}
    subject, body = render_email(conference.id, "decision_accepted", context)
    assert subject == "Accepted: Engines" and "Ada" in body
    db.session.add(EmailTemplate(conference_id=conference.id, kind="decision_accepted",
                                 subject="Yes! {{ title }}", body="Dear {{ speaker }}"))
    db.session.flush()
    assert render_email(conference.id, "decision_accepted", context) == ("Yes! Engines", "Dear Ada")
    with pytest.raises(TemplateProblem):
        render_text("{{ nope }}", "", context)
    with pytest.raises(TemplateProblem):
        render_text("{{ ''.__class__.__mro__ }}", "", context)
