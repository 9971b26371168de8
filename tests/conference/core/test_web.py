from datetime import UTC, date, datetime, time

import pytest

from conference.core.timezones import is_valid_time_zone, local_to_utc, zone_offset_label


def test_unknown_url_gives_styled_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "pico.min.css" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/login?next=%00", "/c/a%00b/", "/?q=x%00"])
def test_nul_byte_in_path_or_query_is_400(client, url):
    assert client.get(url).status_code == 400


def test_nul_byte_in_form_is_400(client):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400


def test_every_page_names_its_time_zone(client):
    client.set_cookie("tz", "Asia/Kolkata", domain="conference.test")
    body = client.get("/").get_data(as_text=True)
    assert "All times on this page are shown in" in body
    assert "Asia/Kolkata" in body


def test_invalid_browser_zone_cookie_falls_back_to_utc(client):
    client.set_cookie("tz", "Mars/Olympus", domain="conference.test")
    body = client.get("/").get_data(as_text=True)
    assert "Mars/Olympus" not in body
    assert ">UTC<" in body


def test_security_headers_present(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("name,valid", [("Europe/London", True), ("UTC", True), ("BST", False),
                                        ("GMT", False), ("Europe/Londn", False), ("", False),
                                        (" Europe/London", False), ("../etc/passwd", False)])
def test_is_valid_time_zone(name, valid):
    assert is_valid_time_zone(name) is valid


def test_local_to_utc_across_london_dst_change():
    before = local_to_utc(date(2026, 10, 24), time(9, 0), "Europe/London")
    after = local_to_utc(date(2026, 10, 26), time(9, 0), "Europe/London")
    assert before == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_local_to_utc_in_spring_forward_gap_moves_past_gap():
    instant = local_to_utc(date(2027, 3, 14), time(2, 30), "America/New_York")
    assert instant == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)


def test_zone_offset_label_shows_offset_in_force():
    assert zone_offset_label(datetime(2026, 7, 1, tzinfo=UTC), "Europe/London") == "Europe/London (UTC+01:00)"
    assert zone_offset_label(datetime(2026, 12, 1, tzinfo=UTC), "Asia/Kolkata") == "Asia/Kolkata (UTC+05:30)"


def test_localtime_gives_the_offset_of_a_time_on_a_day_the_clocks_change():
    from conference.core.web import format_instant

    # 01:30 came twice in London on 27 October 2024: the two instants must not read the same.
    first, second = datetime(2024, 10, 27, 0, 30, tzinfo=UTC), datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    assert format_instant(first, "Europe/London") == "Sun 27 Oct 2024, 01:30 UTC+01:00"
    assert format_instant(second, "Europe/London") == "Sun 27 Oct 2024, 01:30 UTC+00:00"
    assert format_instant(first, "Europe/London", "%H:%M") == "01:30 UTC+01:00"
    # Any other day, or a pattern without a time of day, stays as written.
    assert format_instant(datetime(2024, 10, 28, 9, tzinfo=UTC), "Europe/London") == "Mon 28 Oct 2024, 09:00"
    assert format_instant(first, "Europe/London", "%a %d %b") == "Sun 27 Oct"
    # Only the viewer's zone decides: the same instant in Tokyo is an ordinary time.
    assert format_instant(first, "Asia/Tokyo") == "Sun 27 Oct 2024, 09:30"


def test_local_times_give_a_span_its_offsets_once_or_per_end_as_needed():
    from conference.core.web import format_span

    # 00:30-01:00 UTC on 27 Oct 2024 is 01:30 BST to 01:00 GMT; 01:30-02:00 UTC is 01:30-02:00 GMT.
    first = format_span(datetime(2024, 10, 27, 0, 30, tzinfo=UTC), datetime(2024, 10, 27, 1, tzinfo=UTC), "Europe/London")
    second = format_span(datetime(2024, 10, 27, 1, 30, tzinfo=UTC), datetime(2024, 10, 27, 2, tzinfo=UTC), "Europe/London")
    assert first == "01:30 UTC+01:00–01:00 UTC+00:00"  # the clocks went back during it
    assert second == "01:30–02:00 UTC+00:00"
    ordinary = (datetime(2024, 10, 28, 9, tzinfo=UTC), datetime(2024, 10, 28, 9, 30, tzinfo=UTC))
    assert format_span(*ordinary, "Europe/London") == "09:00–09:30"
    assert format_span(*ordinary, "Europe/London", "%a %d %b %Y") == "Mon 28 Oct 2024, 09:00–09:30"
