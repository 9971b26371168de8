"""Topic pages, the topics on a talk page, and organisers tagging their own talks."""

from __future__ import annotations

from sqlalchemy import select

from conference.archive.models import ArchiveEntry, ProposalTopic, TopicTag
from conference.archive.operations import slug_for
from conference.conferences.models import Role
from tests.conference.archive.conftest import make_user, titles
from tests.factories import RoleFactory


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_topic_page_groups_talks_by_year_with_recordings_and_people(client, archive):
    html = page(client, "/archive/topics/observability")
    assert "<h1>Observability</h1>" in html
    assert "Logs, metrics, traces." in html
    assert "3 talks from 2026 to 2027" in html
    # Newest year first, each year's talks in the order they were given.
    positions = [
        html.index(text)
        for text in (
            '<h3 id="year-2027">',
            "Tracing at scale: sampling",
            '<h3 id="year-2026">',
            "Tracing requests across services",
            "Dashboards nobody reads",
        )
    ]
    assert positions == sorted(positions)
    assert "Postgres upgrades" not in html
    assert 'href="https://video.example.com/talk"' in html
    assert "Watch the recording" in html


def test_topic_page_lists_who_to_ask_with_talk_counts(client, archive):
    html = page(client, "/archive/topics/observability")
    people = html[html.index("Who to ask") :]
    assert people.index("Asha Rao") < people.index("Ben Okafor")
    assert "2 talks, latest 2027" in people
    assert "1 talk, latest 2026" in people
    assert f"/archive?person={archive.asha.id}&amp;topic=observability" in people


def test_unknown_topic_is_not_found(client, archive):
    page(client, "/archive/topics/nope", status=404)


def test_topics_page_lists_every_topic_with_its_talk_count(db, client, archive):
    db.session.add(TopicTag(slug="security", name="Security"))
    db.session.commit()
    html = page(client, "/archive/topics")
    rows = html[html.index("<tbody>") :]
    assert rows.index("Observability") < rows.index("Databases") < rows.index("Security")
    assert '<a href="/archive/topics/observability">Observability</a></th>' in rows
    assert "<td>3</td>" in rows and "<td>1</td>" in rows and "<td>0</td>" in rows


def test_agenda_talk_page_shows_the_talks_topics(client, archive):
    proposal = archive.last_year.talks["Tracing requests across services"]
    html = page(client, f"/c/summit-2026/agenda/talks/{proposal.id}")
    assert 'Topics:\n    <a href="/archive/topics/observability">Observability</a>' in html


def test_agenda_talk_page_without_topics_shows_none(client, archive):
    proposal = archive.this_year.talks["Team rituals"]
    assert "Topics:" not in page(client, f"/c/summit-2027/agenda/talks/{proposal.id}")


def test_slugs_are_lowercase_ascii_with_hyphens():
    assert slug_for("Observability & SRE") == "observability-sre"
    assert slug_for("  Café  Culture ") == "cafe-culture"
    assert slug_for("日本語") == "日本語"


# --- tagging --------------------------------------------------------------------------------


def tags_of(db, proposal) -> list[str]:
    return sorted(
        db.session.scalars(
            select(TopicTag.name)
            .join(ProposalTopic)
            .where(ProposalTopic.proposal_id == proposal.id)
        )
    )


def test_organiser_sees_the_tagging_page_of_their_talks(client, login, archive, organiser):
    login(organiser)
    html = page(client, "/c/summit-2027/manage/topics")
    assert "Tracing at scale: sampling" in html and "Team rituals" in html
    assert "Tracing requests across services" not in html  # last year's conference
    assert '<option value="Observability">' in html
    assert 'aria-current="page">Topics</a>' in html


def test_organiser_tags_a_talk_with_an_existing_topic(db, client, login, archive, organiser):
    login(organiser)
    proposal = archive.this_year.talks["Team rituals"]
    response = client.post(
        f"/c/summit-2027/manage/topics/talks/{proposal.id}/attach", data={"topic": "observability"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert tags_of(db, proposal) == ["Observability"]
    assert db.session.get(ArchiveEntry, proposal.id).tag_names == "Observability"
    assert "Team rituals" in page(client, "/archive/topics/observability")


def test_typing_a_new_topic_creates_it(db, client, login, archive, organiser):
    login(organiser)
    proposal = archive.this_year.talks["Team rituals"]
    client.post(
        f"/c/summit-2027/manage/topics/talks/{proposal.id}/attach", data={"topic": "Team Health"}
    )
    db.session.expire_all()
    assert tags_of(db, proposal) == ["Team Health"]
    assert "Team rituals" in page(client, "/archive/topics/team-health")
    assert "Team rituals" in page(client, "/archive?q=health")


def test_tagging_twice_is_harmless(db, client, login, archive, organiser):
    login(organiser)
    proposal = archive.this_year.talks["Tracing at scale: sampling"]
    response = client.post(
        f"/c/summit-2027/manage/topics/talks/{proposal.id}/attach",
        data={"topic": "Observability"},
        follow_redirects=True,
    )
    assert "was already tagged" in response.get_data(as_text=True)
    assert tags_of(db, proposal) == ["Observability"]


def test_organiser_removes_a_topic(db, client, login, archive, organiser):
    login(organiser)
    proposal = archive.this_year.talks["Tracing at scale: sampling"]
    response = client.post(
        f"/c/summit-2027/manage/topics/talks/{proposal.id}/detach/{archive.observability.id}"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert tags_of(db, proposal) == []
    assert db.session.get(ArchiveEntry, proposal.id).tag_names == ""
    assert "Tracing at scale: sampling" not in titles(client.get("/archive?topic=observability"))


def test_organiser_creates_a_topic_with_a_description(db, client, login, archive, organiser):
    login(organiser)
    response = client.post(
        "/c/summit-2027/manage/topics/new",
        data={"name": "Developer Experience", "description": "Tools and flow."},
    )
    assert response.status_code == 302
    tag = db.session.scalar(select(TopicTag).where(TopicTag.slug == "developer-experience"))
    assert tag.description == "Tools and flow."


def test_creating_an_existing_topic_is_a_form_error(client, login, archive, organiser):
    login(organiser)
    response = client.post("/c/summit-2027/manage/topics/new", data={"name": "OBSERVABILITY"})
    assert response.status_code == 400
    assert "The topic “Observability” exists already." in response.get_data(as_text=True)


def test_topic_names_without_letters_are_refused(db, client, login, archive, organiser):
    login(organiser)
    proposal = archive.this_year.talks["Team rituals"]
    response = client.post(
        f"/c/summit-2027/manage/topics/talks/{proposal.id}/attach",
        data={"topic": "!!!"},
        follow_redirects=True,
    )
    assert "was not tagged: Use at least one letter or digit." in response.get_data(as_text=True)
    assert client.post("/c/summit-2027/manage/topics/new", data={"name": "***"}).status_code == 400
    assert tags_of(db, proposal) == []


def test_organiser_of_another_conference_cannot_tag(db, client, login, archive, organiser):
    login(organiser)  # organises 2027 only
    proposal = archive.last_year.talks["Postgres upgrades without downtime"]
    assert client.get("/c/summit-2026/manage/topics").status_code == 403
    assert (
        client.post(
            f"/c/summit-2026/manage/topics/talks/{proposal.id}/attach",
            data={"topic": "Observability"},
        ).status_code
        == 403
    )
    # Through their own conference's URL, the other conference's talk does not exist.
    assert (
        client.post(
            f"/c/summit-2027/manage/topics/talks/{proposal.id}/attach",
            data={"topic": "Observability"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/c/summit-2027/manage/topics/talks/{proposal.id}/detach/{archive.databases.id}"
        ).status_code
        == 404
    )
    assert tags_of(db, proposal) == ["Databases"]


def test_attendees_cannot_tag_and_strangers_must_log_in(db, client, login, archive):
    proposal = archive.this_year.talks["Team rituals"]
    url = f"/c/summit-2027/manage/topics/talks/{proposal.id}/attach"
    anonymous = client.post(url, data={"topic": "Observability"})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    attendee = make_user()
    RoleFactory(conference=archive.this_year.conference, user=attendee, role=Role.ATTENDEE)
    login(attendee)
    assert client.post(url, data={"topic": "Observability"}).status_code == 403
    assert tags_of(db, proposal) == []
