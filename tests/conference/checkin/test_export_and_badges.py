"""The day's check-ins as CSV for facilities, and the printable name badges."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from conference.proposals.models import InvitationState, PresentationMode, ProposalState
from tests.conference.checkin.conftest import (
    THU,
    WED,
    attend,
    check_in_url,
    desk_url,
    hub,
    person,
)
from tests.factories import ProposalFactory, ProposalSpeakerFactory, SpeakerProfileFactory


def _csv(client, conference, hub_name, day) -> list[list[str]]:
    response = client.get(desk_url(conference, hub_name, day) + "/check-ins.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_lists_the_days_check_ins_by_name_with_times_who_and_needs(client, db, now, conference, organiser):
    zoe, ada, bob = person(db, "Zoe"), person(db, "=Ada"), person(db, "Bob")
    attend(db, conference, zoe, "London", seated=[WED], dietary="Vegan")
    attend(db, conference, ada, "London", seated=[WED], accessibility="Step-free access")
    attend(db, conference, bob, "London", seated=[WED])  # not arrived: not in the list
    theo = person(db, "Theo")
    attend(db, conference, theo, "London", seated=[THU])
    hub(conference, "London").seat_limit = None  # room for Theo next to the three seated
    db.session.commit()
    client.post(check_in_url(conference, "London", WED, zoe))
    now.set(datetime(2027, 3, 24, 10, 5, tzinfo=UTC))
    client.post(check_in_url(conference, "London", WED, ada))
    client.post(check_in_url(conference, "London", WED, theo), data={"seat_anyway": "y"})

    rows = _csv(client, conference, "London", WED)

    assert rows[0] == [
        "Name", "E-mail", "Hub", "Day (hub date)", "Checked in (Europe/London)", "Checked in (UTC)",
        "Checked in by", "Seat", "Dietary needs", "Accessibility needs",
    ]
    assert rows[1:] == [
        # A leading "=" is kept from being read as a formula.
        ["'=Ada", "'=ada@example.com", "London", "2027-03-24", "2027-03-24 10:05", "2027-03-24T10:05:00Z",
         "Olga Organiser", "Registered seat", "", "Step-free access"],
        ["Theo", "theo@example.com", "London", "2027-03-24", "2027-03-24 10:05", "2027-03-24T10:05:00Z",
         "Olga Organiser", "Seated at the desk", "", ""],
        ["Zoe", "zoe@example.com", "London", "2027-03-24", "2027-03-24 09:30", "2027-03-24T09:30:00Z",
         "Olga Organiser", "Registered seat", "Vegan", ""],
    ]
    assert _csv(client, conference, "London", THU) == [rows[0]]


def test_the_csv_gives_the_hubs_wall_clock_next_to_utc(client, db, conference, organiser):
    tomo = person(db, "Tomo")
    attend(db, conference, tomo, "Tokyo", seated=[WED])
    client.post(check_in_url(conference, "Tokyo", WED, tomo))

    rows = _csv(client, conference, "Tokyo", WED)

    assert rows[0][4] == "Checked in (Asia/Tokyo)"
    assert rows[1][4:6] == ["2027-03-24 18:30", "2027-03-24T09:30:00Z"]


def _speaks(conference, user, state=ProposalState.CONFIRMED, invitation=InvitationState.ACCEPTED):
    proposal = ProposalFactory(conference=conference, state=state)
    ProposalSpeakerFactory(proposal=proposal, user=user, invitation_state=invitation)


def _badges(page: str) -> list[str]:
    return re.findall(r'<li class="name-badge">(.*?)</li>', page, re.S)


def _text(badge: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", badge).split())


def test_badges_show_name_hub_home_zone_and_speaker_marker_by_name(client, db, conference, organiser):
    priya = person(db, "Priya", time_zone="Asia/Kolkata")
    sam = person(db, "Sam", time_zone="America/New_York")
    rita = person(db, "rita", time_zone="Europe/London")
    wes = person(db, "Wes")
    for someone in (priya, sam, rita):
        attend(db, conference, someone, "London", seated=[WED])
    attend(db, conference, wes, "London", waiting=[WED])
    _speaks(conference, sam)
    _speaks(conference, rita, state=ProposalState.ACCEPTED)
    SpeakerProfileFactory(conference=conference, user=rita, presentation_mode=PresentationMode.REMOTE)
    _speaks(conference, priya, state=ProposalState.REJECTED)
    db.session.commit()

    page = client.get(desk_url(conference, "London", WED) + "/badges").get_data(as_text=True)

    assert [_text(badge) for badge in _badges(page)] == [
        "Engineering Summit Priya London Home time zone: Asia/Kolkata (UTC+05:30)",
        "Engineering Summit rita London Home time zone: Europe/London (UTC+00:00) Remote speaker",
        # New York is already on summer time on 24 March 2027.
        "Engineering Summit Sam London Home time zone: America/New_York (UTC-04:00) Speaker",
    ]
    assert "3 badges on 1 A4 sheet" in page


def test_badges_can_leave_out_people_already_checked_in(client, db, conference, organiser):
    ada, bob, theo = person(db, "Ada"), person(db, "Bob"), person(db, "Theo")
    attend(db, conference, ada, "London", seated=[WED])
    attend(db, conference, bob, "London", seated=[WED])
    attend(db, conference, theo, "London", seated=[THU])
    client.post(check_in_url(conference, "London", WED, ada))
    client.post(check_in_url(conference, "London", WED, theo), data={"seat_anyway": "y"})

    everyone = client.get(desk_url(conference, "London", WED) + "/badges").get_data(as_text=True)
    not_yet = client.get(desk_url(conference, "London", WED) + "/badges?who=not_checked_in").get_data(as_text=True)

    assert [re.search(r'name-badge-name">([^<]+)<', badge).group(1) for badge in _badges(everyone)] == ["Ada", "Bob", "Theo"]
    assert [re.search(r'name-badge-name">([^<]+)<', badge).group(1) for badge in _badges(not_yet)] == ["Bob"]


def test_badges_fill_sheets_of_eight(client, db, conference, organiser):
    for number in range(9):
        attend(db, conference, person(db, f"Person {number}"), "Tokyo", seated=[WED])

    page = client.get(desk_url(conference, "Tokyo", WED) + "/badges").get_data(as_text=True)

    sheets = re.findall(r'<section class="badge-sheet" aria-label="(Sheet \d of \d)">(.*?)</section>', page, re.S)
    assert [(label, len(_badges(body))) for label, body in sheets] == [("Sheet 1 of 2", 8), ("Sheet 2 of 2", 1)]
    assert "9 badges on 2 A4 sheets" in page


def test_no_badges_says_so(client, db, conference, organiser):
    page = client.get(desk_url(conference, "London", WED) + "/badges?who=not_checked_in").get_data(as_text=True)

    assert _badges(page) == []
    assert "Everyone seated has checked in at London on Wed 24 Mar 2027: there are no badges to print." in page
