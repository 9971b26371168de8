"""Organisers edit the rubric and the review settings."""

from datetime import UTC, datetime

from sqlalchemy import select

from conference.reviews.models import ReviewCriterion
from tests.conference.reviews.conftest import make_reviewer
from tests.factories import ReviewCriterionFactory, ReviewScoreFactory

NEW = {"name": "Relevance", "description": "Fits the audience.", "weight": "2", "scale_min": "1", "scale_max": "5"}


def _criteria(db):
    db.session.expire_all()
    return db.session.scalars(select(ReviewCriterion).order_by(ReviewCriterion.position)).all()


def test_create_edit_and_list_criteria(client, organiser, conference, db):
    assert client.post("/c/devcon/manage/rubric/new", data=NEW).status_code == 302
    [criterion] = _criteria(db)
    assert (criterion.name, criterion.weight, criterion.scale_min, criterion.scale_max) == ("Relevance", 2.0, 1, 5)
    edited = dict(NEW, name="Audience fit", scale_min="0", scale_max="10")
    assert client.post(f"/c/devcon/manage/rubric/{criterion.id}/edit", data=edited).status_code == 302
    [criterion] = _criteria(db)
    assert (criterion.name, criterion.scale_min, criterion.scale_max) == ("Audience fit", 0, 10)
    page = client.get("/c/devcon/manage/rubric").get_data(as_text=True)
    assert "Audience fit" in page and 'aria-current="page"' in page


def test_invalid_criterion_values_are_form_errors(client, organiser, conference, db):
    ReviewCriterionFactory(conference=conference, name="Relevance")
    db.session.commit()
    cases = [
        (dict(NEW, weight="0"), "Enter a weight greater than 0"),
        (dict(NEW, name="Other", scale_min="5", scale_max="5"), "must be greater than the lowest"),
        (dict(NEW, name="x" * 101), "Field cannot be longer than 100 characters"),
        (NEW, "already has a criterion called “Relevance”"),
    ]
    for data, message in cases:
        response = client.post("/c/devcon/manage/rubric/new", data=data)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True), message
    assert len(_criteria(db)) == 1


def test_scale_of_a_scored_criterion_cannot_change(client, organiser, conference, db):
    criterion = ReviewCriterionFactory(conference=conference, name="Relevance")
    ReviewScoreFactory(criterion=criterion, review__proposal__conference=conference)
    db.session.commit()
    response = client.post(f"/c/devcon/manage/rubric/{criterion.id}/edit", data=dict(NEW, scale_max="10"))
    assert response.status_code == 400
    assert "already has 1 score, so its scale cannot change" in response.get_data(as_text=True)
    renamed = dict(NEW, name="Relevance!", weight="3")
    assert client.post(f"/c/devcon/manage/rubric/{criterion.id}/edit", data=renamed).status_code == 302
    [criterion] = _criteria(db)
    assert (criterion.name, criterion.weight, criterion.scale_max) == ("Relevance!", 3.0, 5)


def test_delete_and_reorder_criteria(client, organiser, conference, db):
    first = ReviewCriterionFactory(conference=conference, name="First", position=1)
    second = ReviewCriterionFactory(conference=conference, name="Second", position=2)
    scored = ReviewCriterionFactory(conference=conference, name="Scored", position=3)
    ReviewScoreFactory(criterion=scored, review__proposal__conference=conference)
    db.session.commit()
    scored_id = scored.id
    client.post(f"/c/devcon/manage/rubric/{second.id}/move", data={"direction": "up"})
    assert [c.name for c in _criteria(db)] == ["Second", "First", "Scored"]
    assert client.post(f"/c/devcon/manage/rubric/{first.id}/delete").status_code == 302
    asked = client.post(f"/c/devcon/manage/rubric/{scored.id}/delete").get_data(as_text=True)
    assert "has 1 score" in asked and "Delete anyway: Scored" in asked
    assert [c.name for c in _criteria(db)] == ["Second", "Scored"]
    client.post(f"/c/devcon/manage/rubric/{scored_id}/delete", data={"confirmed": "yes"})
    assert [c.name for c in _criteria(db)] == ["Second"]
    assert client.get(f"/c/devcon/manage/rubric/{scored_id}/delete").status_code == 405


def test_review_settings_store_close_time_in_utc_and_settings(client, organiser, conference, db):
    data = {"review_closes_at": "2027-02-15T18:00", "anonymised_review": "", "reviewers_per_proposal": "4"}
    assert client.post("/c/devcon/manage/rubric/settings", data=data).status_code == 302
    db.session.expire_all()
    # 18:00 in London in February is 18:00 UTC; check a summer zone too.
    assert conference.review_closes_at == datetime(2027, 2, 15, 18, 0, tzinfo=UTC)
    assert conference.setting("anonymised_review") is False
    assert conference.setting("reviewers_per_proposal") == 4
    conference.time_zone = "Asia/Tokyo"
    db.session.commit()
    client.post("/c/devcon/manage/rubric/settings", data=dict(data, anonymised_review="y"))
    db.session.expire_all()
    assert conference.review_closes_at == datetime(2027, 2, 15, 9, 0, tzinfo=UTC)
    assert conference.setting("anonymised_review") is True
    bad = client.post("/c/devcon/manage/rubric/settings", data=dict(data, reviewers_per_proposal="0"))
    assert bad.status_code == 400 and "Enter a number from 1 to 10." in bad.get_data(as_text=True)


def test_review_close_in_a_mistyped_year_is_a_form_error(client, organiser, conference, db):
    for zone, typed in (("America/New_York", "9999-12-31T23:30"), ("Asia/Tokyo", "0001-01-01T00:30")):
        conference.time_zone = zone
        db.session.commit()
        response = client.post("/c/devcon/manage/rubric/settings",
                               data={"review_closes_at": typed, "reviewers_per_proposal": "2"})
        assert response.status_code == 400
        assert "Enter a date in the years 2000 to 2999." in response.get_data(as_text=True)


def test_rubric_pages_are_for_organisers_of_this_conference_only(client, conference, login, db):
    criterion = ReviewCriterionFactory(conference=conference)
    reviewer = make_reviewer(conference)
    db.session.commit()
    login(reviewer)
    assert client.get("/c/devcon/manage/rubric").status_code == 403
    assert client.post(f"/c/devcon/manage/rubric/{criterion.id}/delete").status_code == 403
    assert len(_criteria(db)) == 1


def test_criterion_of_another_conference_is_not_found(client, organiser, db):
    foreign = ReviewCriterionFactory()
    db.session.commit()
    assert client.get(f"/c/devcon/manage/rubric/{foreign.id}/edit").status_code == 404
    assert client.post(f"/c/devcon/manage/rubric/{foreign.id}/delete").status_code == 404


def test_review_close_time_in_a_daylight_saving_gap_is_form_error(client, organiser, conference, db):
    data = {"review_closes_at": "2027-03-28T01:15", "reviewers_per_proposal": "3"}
    response = client.post("/c/devcon/manage/rubric/settings", data=data)
    assert response.status_code == 400
    assert "01:15 on 28 Mar 2027 does not exist in Europe/London" in response.get_data(as_text=True)
    db.session.expire_all()
    assert conference.review_closes_at is None
