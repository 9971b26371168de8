"""The call's dates as speakers read them: in both zones, unambiguous on a day the clocks change."""

from __future__ import annotations

from datetime import UTC, datetime

from conference.proposals.operations import cfp_window_text
from tests.factories import ConferenceFactory


def test_window_text_names_both_zones_and_an_offset_where_a_time_comes_twice(db):
    # 02:30 came twice in Berlin on 31 Oct 2027; the call closes at the second one.
    conference = ConferenceFactory(
        time_zone="Europe/Berlin",
        cfp_opens_at=datetime(2027, 9, 1, 7, tzinfo=UTC),
        cfp_closes_at=datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
    )
    text = cfp_window_text(conference, "America/New_York")
    assert text == (
        "The call for proposals runs Wed 01 Sep 2027, 09:00 – Sun 31 Oct 2027, 02:30 UTC+01:00 "
        "(Europe/Berlin), that is Wed 01 Sep 2027, 03:00 – Sat 30 Oct 2027, 21:30 (America/New_York) "
        "in your time zone."
    )
    same_zone = cfp_window_text(conference, "Europe/Berlin")
    assert same_zone.endswith("02:30 UTC+01:00 (Europe/Berlin) in the conference's time zone, which is also yours.")
    assert cfp_window_text(ConferenceFactory(cfp_opens_at=None), "UTC") == "The call for proposals has no dates yet."
