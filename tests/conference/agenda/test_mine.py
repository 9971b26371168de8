"""My agenda: starred talks of the published version, by local day, with clashes flagged."""

from __future__ import annotations

import re

from conference.models import FeedToken
from conference.proposals.models import ProposalState
from tests.conference.agenda.conftest import make_talk, make_user, utc
from tests.factories import InterestMarkFactory, ProposalFactory


def star(user, *scheduled_talks):
    for scheduled in scheduled_talks:
        InterestMarkFactory(user_id=user.id, proposal_id=scheduled.proposal_id)


def test_my_agenda_needs_a_login(client, published):
    response = client.get("/c/summit/agenda/mine")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_my_agenda_lists_starred_talks_by_local_day_in_the_viewers_zone(
    client, login, places, published, db
):
    user = make_user(time_zone="Asia/Kolkata")
    late = make_talk(published, places.thames, utc(2027, 3, 12, 23, 30), title="Late talk")
    early = make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Early talk")
    make_talk(published, places.thames, utc(2027, 3, 12, 11), title="Not starred")
    star(user, late, early)
    login(user)

    html = client.get("/c/summit/agenda/mine").get_data(as_text=True)

    assert "Not starred" not in html
    assert "Asia/Kolkata (UTC+05:30)" in html
    friday, saturday = html.index("Friday 12 March 2027"), html.index("Saturday 13 March 2027")
    assert friday < html.index("Early talk") < saturday < html.index("Late talk")
    assert "14:30–15:00" in html and "05:00–05:30" in html


def test_my_agenda_flags_clashing_starred_talks(client, login, places, published, db):
    user = make_user()
    first = make_talk(published, places.thames, utc(2027, 3, 12, 10), minutes=60, title="Long talk")
    second = make_talk(published, places.hudson, utc(2027, 3, 12, 10, 30), title="Overlapping talk")
    third = make_talk(published, places.stream, utc(2027, 3, 12, 11), title="Back to back talk")
    star(user, first, second, third)
    login(user)

    html = client.get("/c/summit/agenda/mine?tz=UTC").get_data(as_text=True)

    assert "2 of your starred talks overlap in time" in html
    clashing = re.findall(
        r'<li class="agenda-talk agenda-clash">.*?agenda-talk-title">([^<]+)</a>', html, re.S
    )
    assert clashing == ["Long talk", "Overlapping talk"]
    assert "overlaps Overlapping talk" in html and "overlaps Long talk" in html


def test_my_agenda_lists_starred_talks_not_in_the_schedule_separately(
    client, login, conference, places, published, draft, db
):
    user = make_user()
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Scheduled talk")
    draft_only = make_talk(draft, places.thames, utc(2027, 3, 12, 12), title="Draft only talk")
    unplaced = ProposalFactory(conference=conference, state="confirmed", title="Unplaced talk")
    star(user, scheduled, draft_only)
    InterestMarkFactory(user_id=user.id, proposal_id=unplaced.id)
    login(user)

    html = client.get("/c/summit/agenda/mine").get_data(as_text=True)

    not_scheduled = html[html.index("Starred, not (yet) in the schedule") :]
    assert "Draft only talk" in not_scheduled and "Unplaced talk" in not_scheduled
    assert "Scheduled talk" not in not_scheduled and "Scheduled talk" in html


def test_my_agenda_before_publication_lists_stars_as_not_yet_scheduled(
    client, login, conference, places, draft, db
):
    user = make_user()
    scheduled = make_talk(draft, places.thames, utc(2027, 3, 12, 10), title="Draft talk")
    star(user, scheduled)
    login(user)

    html = client.get("/c/summit/agenda/mine").get_data(as_text=True)

    assert "The schedule has not been published yet" in html
    assert "Draft talk" in html[html.index("Starred, not (yet) in the schedule") :]


def test_my_agenda_makes_the_private_feed_link_only_when_asked(
    client, login, places, published, db
):
    login(make_user())
    link = r'href="webcal://conference.test/c/summit/feeds/([\w-]+)/starred.ics"'

    before = client.get("/c/summit/agenda/mine").get_data(as_text=True)
    assert "Get my calendar link" in before and not re.search(link, before)
    assert db.session.scalar(db.select(db.func.count(FeedToken.id))) == 0  # looking made nothing

    made = client.post(
        "/c/summit/calendar/personal-link",
        data={"intent": "create", "next": "/c/summit/agenda/mine"},
    )
    assert made.status_code == 302 and made.headers["Location"].endswith("/c/summit/agenda/mine")
    response = client.get("/c/summit/agenda/mine")
    html = response.get_data(as_text=True)
    token = re.search(link, html).group(1)
    assert "Get my calendar link" not in html
    assert "no-store" in response.headers["Cache-Control"]

    # Asking again (a second press, another tab) keeps the same link.
    client.post(
        "/c/summit/calendar/personal-link",
        data={"intent": "create", "next": "https://evil.example/"},
    )
    assert (
        re.search(link, client.get("/c/summit/agenda/mine").get_data(as_text=True)).group(1)
        == token
    )


def test_my_agenda_lists_starred_talks_that_left_the_programme_and_removes_their_stars(
    client, login, conference, places, published, db
):
    user = make_user()
    kept = make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Still on")
    withdrawn = make_talk(
        published, places.thames, utc(2027, 3, 12, 11), title="Withdrawn later"
    )
    declined = make_talk(published, places.hudson, utc(2027, 3, 12, 11), title="Declined later")
    someone_elses = make_talk(published, places.stream, utc(2027, 3, 12, 12), title="Not mine")
    star(user, kept, withdrawn, declined)
    star(make_user(), someone_elses)
    for scheduled, state in (
        (withdrawn, ProposalState.WITHDRAWN),
        (declined, ProposalState.DECLINED),
        (someone_elses, ProposalState.WITHDRAWN),
    ):
        scheduled.proposal.submitted_at = utc(2026, 11, 1, 12)
        scheduled.proposal.state = state
    login(user)

    html = client.get("/c/summit/agenda/mine").get_data(as_text=True)

    gone = html[html.index("Starred, no longer in the programme") :]
    assert "Withdrawn later" in gone and "Declined later" in gone
    assert "Still on" not in gone and "Not mine" not in html
    assert f'action="/c/summit/agenda/talks/{withdrawn.proposal_id}/unstar"' in gone

    removed = client.post(
        f"/c/summit/agenda/talks/{withdrawn.proposal_id}/unstar",
        data={"next": "/c/summit/agenda/mine"},
    )

    assert removed.status_code == 302
    assert removed.headers["Location"].endswith("/c/summit/agenda/mine")
    after = client.get("/c/summit/agenda/mine").get_data(as_text=True)
    assert "Removed the star from “Withdrawn later”" in after
    gone = after[after.index("Starred, no longer in the programme") :]
    assert "Withdrawn later" not in gone and "Declined later" in gone
    assert "Still on" in after


def test_my_agenda_lets_stars_of_talks_not_in_the_schedule_be_removed(
    client, login, conference, places, published, db
):
    user = make_user()
    unplaced = ProposalFactory(conference=conference, state="confirmed", title="Unplaced talk")
    InterestMarkFactory(user_id=user.id, proposal_id=unplaced.id)
    login(user)

    html = client.get("/c/summit/agenda/mine").get_data(as_text=True)
    not_scheduled = html[html.index("Starred, not (yet) in the schedule") :]
    assert f'action="/c/summit/agenda/talks/{unplaced.id}/unstar"' in not_scheduled

    response = client.post(f"/c/summit/agenda/talks/{unplaced.id}/unstar")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/summit/agenda/mine")
    after = client.get("/c/summit/agenda/mine").get_data(as_text=True)
    assert "Removed the star from “Unplaced talk”" in after
    assert "Starred, not (yet) in the schedule" not in after
