"""The People page: search by name or e-mail, status filter, paging, status and roles shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import event

from conference.admin.queries import PEOPLE_PER_PAGE
from conference.conferences.models import Role
from conference.extensions import db as _db
from tests.conference.admin.conftest import make_user
from tests.factories import ConferenceFactory, RoleFactory


def _names(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/admin/people/\d+">([^<]+)</a></th>', page)


def test_search_matches_names_ignoring_case_and_accents_and_e_mail_addresses(admin_client, db):
    make_user(display_name="José García", email="jg@example.com")
    make_user(display_name="Linus Field", email="linus@corp.example")
    make_user(display_name="Someone Else", email="else@example.com")
    db.session.commit()
    by_name = admin_client.get("/admin/people?q=GARCIA").get_data(as_text=True)
    assert _names(by_name) == ["José García"]
    by_email = admin_client.get("/admin/people?q=corp.example").get_data(as_text=True)
    assert _names(by_email) == ["Linus Field"]
    nobody = admin_client.get("/admin/people?q=zzz").get_data(as_text=True)
    assert _names(nobody) == []
    assert "No account has a name or e-mail containing “zzz”" in nobody


def test_search_treats_like_wildcards_as_plain_characters(admin_client, db):
    make_user(display_name="Percent Person", email="p@example.com")
    db.session.commit()
    assert _names(admin_client.get("/admin/people?q=%25").get_data(as_text=True)) == []
    assert _names(admin_client.get("/admin/people?q=_").get_data(as_text=True)) == []


def test_people_are_paged_by_name_and_a_page_past_the_end_shows_the_last(admin_client, db, site_admin):
    for number in range(PEOPLE_PER_PAGE + 5):
        make_user(display_name=f"Member {number:03d}", email=f"member{number}@example.com")
    db.session.commit()
    first = admin_client.get("/admin/people?q=member").get_data(as_text=True)
    assert _names(first) == [f"Member {n:03d}" for n in range(PEOPLE_PER_PAGE)]
    assert f"1–{PEOPLE_PER_PAGE} of {PEOPLE_PER_PAGE + 5} accounts" in first
    assert 'href="/admin/people?q=member&amp;page=2"' in first
    second = admin_client.get("/admin/people?q=member&page=2").get_data(as_text=True)
    assert _names(second) == [f"Member {n:03d}" for n in range(PEOPLE_PER_PAGE, PEOPLE_PER_PAGE + 5)]
    beyond = admin_client.get("/admin/people?q=member&page=99").get_data(as_text=True)
    assert _names(beyond) == _names(second)
    assert admin_client.get("/admin/people?page=abc").status_code == 200


def test_status_filter_and_status_column_show_who_deactivated_whom_and_when(admin_client, db, site_admin):
    make_user(display_name="Gone Person", email="gone@example.com", is_active_account=False,
                     deactivated_at=datetime(2026, 7, 1, 11, 30, tzinfo=UTC), deactivated_by=site_admin)
    make_user(display_name="Here Person", email="here@example.com")
    make_user(display_name="Former participant 9", email="erased-9@erased.invalid",
              is_active_account=False, erased_at=datetime(2026, 7, 2, tzinfo=UTC))
    db.session.commit()
    deactivated = admin_client.get("/admin/people?status=deactivated").get_data(as_text=True)
    assert _names(deactivated) == ["Gone Person"]
    # Stored in UTC, shown in the admin's zone (Europe/London: summer time) with the zone named.
    assert "Wed 01 Jul 2026, 12:30" in deactivated
    assert '<span class="tz-label">Europe/London</span>' in deactivated
    assert "by Ada Admin" in deactivated
    assert _names(admin_client.get("/admin/people?status=erased").get_data(as_text=True)) == [
        "Former participant 9"
    ]
    active = _names(admin_client.get("/admin/people?status=active").get_data(as_text=True))
    assert active == ["Ada Admin", "Here Person"]
    # An unknown status is ignored, not an error.
    assert len(_names(admin_client.get("/admin/people?status=bogus").get_data(as_text=True))) == 4


def test_each_account_shows_site_admin_flag_and_roles_per_conference(admin_client, db):
    summit = ConferenceFactory(name="Spring Summit")
    forum = ConferenceFactory(name="Autumn Forum")
    person = make_user(display_name="Role Holder", email="roles@example.com")
    RoleFactory(conference=summit, user=person, role=Role.SPEAKER)
    RoleFactory(conference=summit, user=person, role=Role.REVIEWER)
    RoleFactory(conference=forum, user=person, role=Role.ORGANISER)
    db.session.commit()
    page = admin_client.get("/admin/people?q=role holder").get_data(as_text=True)
    row = page[page.index("Role Holder"):page.index("</tr>", page.index("Role Holder"))]
    assert "Spring Summit" in row and "Autumn Forum" in row
    assert row.count("Speaker") == 1 and row.count("Reviewer") == 1 and row.count("Organiser") == 1
    assert "<td>No</td>" in row
    admin_row = admin_client.get("/admin/people?q=ada").get_data(as_text=True)
    assert "<td>Yes</td>" in admin_row


def test_people_page_queries_do_not_grow_with_the_number_of_accounts(app, admin_client, db):
    conference = ConferenceFactory()

    def statements_for_page() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            assert admin_client.get("/admin/people").status_code == 200
        finally:
            event.remove(_db.engine, "before_cursor_execute", listener)
        return len(seen)

    for number in range(3):
        RoleFactory(conference=conference, user=make_user(deactivated_by=make_user()), role=Role.SPEAKER)
        make_user(display_name=f"Extra {number}")
    db.session.commit()
    few = statements_for_page()
    for _number in range(10):
        RoleFactory(conference=conference, user=make_user(deactivated_by=make_user()), role=Role.REVIEWER)
    db.session.commit()
    assert statements_for_page() == few
