"""Every kind of e-mail can be previewed and saved as written: its default wording renders with the
sample values, and so does a template that uses every placeholder the page lists for it."""

import pytest
from sqlalchemy import select

from conference.mail.models import EmailTemplate
from conference.mail.templates import DEFAULT_TEMPLATES
from tests.conference.mail.test_views import _setup


@pytest.mark.parametrize("kind", sorted(DEFAULT_TEMPLATES))
def test_the_default_and_every_listed_placeholder_render_and_save(kind, client, login, db):
    _setup(db, login)
    url = f"/c/devcon/manage/emails/{kind}"
    page = client.get(url)
    assert page.status_code == 200
    assert "does not render" not in page.get_data(as_text=True)

    default = DEFAULT_TEMPLATES[kind]
    saved = client.post(url, data={"subject": default.subject, "body": default.body, "save": "Save"})
    assert saved.status_code == 302, saved.get_data(as_text=True)

    every = "\n".join(f"{name}=[{{{{ {name} }}}}]" for name in default.placeholders)
    preview = client.post(url, data={"subject": "All", "body": every, "preview": "Preview"})
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    for name in default.placeholders:
        assert f"{name}=[" in text and f"{name}=[]" not in text, name
    db.session.expire_all()
    assert [t.kind for t in db.session.scalars(select(EmailTemplate))] == [kind]


def test_a_template_failing_on_real_values_is_a_template_problem_not_a_crash():
    from conference.mail.templates import TemplateProblem, render_text

    with pytest.raises(TemplateProblem, match="ZeroDivisionError"):
        render_text("x", "{{ 1 / (removed_count - 1) }}", {"removed_count": 1})
    with pytest.raises(TemplateProblem, match="TypeError"):
        render_text("{{ attendee + 1 }}", "", {"attendee": "Ada"})
    assert render_text("x", "{{ 1 / (removed_count - 1) }}", {"removed_count": 3}) == ("x", "0.5")
