"""Writing a review: scores within scale, comment limits, closing time, locking, double submit."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from conference.reviews.models import Review
from tests.conference.reviews.conftest import assign, make_proposal
from tests.factories import ReviewCriterionFactory


def _setup(conference, reviewer, db):
    proposal = make_proposal(conference, title="Observability at scale")
    assign(proposal, reviewer)
    relevance = ReviewCriterionFactory(conference=conference, name="Relevance", scale_min=1, scale_max=5)
    clarity = ReviewCriterionFactory(conference=conference, name="Clarity", scale_min=0, scale_max=3)
    db.session.commit()
    return proposal, relevance, clarity


def _data(relevance, clarity, **overrides):
    data = {
        f"score_{relevance.id}": "4",
        f"score_{clarity.id}": "2",
        "comment_for_organisers": "Strong talk.",
        "comment_for_speaker": "Nice abstract.",
        "lock_version": "0",
    }
    data.update(overrides)
    return data


def _reviews(db):
    db.session.expire_all()
    return db.session.scalars(select(Review)).all()


def test_review_is_saved_with_one_score_per_criterion(client, reviewer, conference, db):
    proposal, relevance, clarity = _setup(conference, reviewer, db)
    page = client.get(f"/c/devcon/reviews/{proposal.id}").get_data(as_text=True)
    assert "Relevance (1–5)" in page and "Clarity (0–3)" in page and "Observability at scale" in page
    response = client.post(f"/c/devcon/reviews/{proposal.id}", data=_data(relevance, clarity))
    assert response.status_code == 302
    [review] = _reviews(db)
    assert {s.criterion_id: s.value for s in review.scores} == {relevance.id: 4, clarity.id: 2}
    assert (review.comment_for_organisers, review.comment_for_speaker) == ("Strong talk.", "Nice abstract.")
    assert "1 done" in client.get("/c/devcon/reviews/").get_data(as_text=True)


def test_scores_out_of_scale_or_missing_are_form_errors(client, reviewer, conference, db):
    proposal, relevance, clarity = _setup(conference, reviewer, db)
    for bad in ({f"score_{relevance.id}": "9"}, {f"score_{clarity.id}": "-1"},
                {f"score_{clarity.id}": "abc"}, {f"score_{relevance.id}": ""}):
        response = client.post(f"/c/devcon/reviews/{proposal.id}", data=_data(relevance, clarity, **bad))
        assert response.status_code == 400, bad
        assert "Choose a score from" in response.get_data(as_text=True), bad
    assert _reviews(db) == []


def test_oversized_comment_is_a_form_error_and_input_is_kept(client, reviewer, conference, db):
    proposal, relevance, clarity = _setup(conference, reviewer, db)
    response = client.post(
        f"/c/devcon/reviews/{proposal.id}",
        data=_data(relevance, clarity, comment_for_organisers="x" * 5001, comment_for_speaker="kept text"),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Keep the comment under 5000 characters." in body
    assert "kept text" in body
    assert _reviews(db) == []


def test_script_in_comment_and_abstract_is_harmless(client, reviewer, conference, db):
    proposal, relevance, clarity = _setup(conference, reviewer, db)
    proposal.abstract = "<script>alert('abstract')</script> [x](javascript:alert(1))"
    db.session.commit()
    payload = "<script>alert('comment')</script><img src=x onerror=alert(1)>"
    client.post(f"/c/devcon/reviews/{proposal.id}", data=_data(relevance, clarity, comment_for_organisers=payload))
    body = client.get(f"/c/devcon/reviews/{proposal.id}").get_data(as_text=True)
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "href=\"javascript" not in body.lower()
    assert "&lt;script&gt;alert(&#39;comment&#39;)" in body


def test_review_is_editable_until_close_then_read_only(client, reviewer, conference, db):
    proposal, relevance, clarity = _setup(conference, reviewer, db)
    conference.review_closes_at = datetime.now(UTC) + timedelta(hours=1)
    db.session.commit()
    assert client.post(f"/c/devcon/reviews/{proposal.id}", data=_data(relevance, clarity)).status_code == 302
    conference.review_closes_at = datetime(2027, 2, 1, 17, 0, tzinfo=UTC) - timedelta(days=400)
    reviewer.time_zone = "Asia/Kolkata"
    db.session.commit()
    page = client.get(f"/c/devcon/reviews/{proposal.id}").get_data(as_text=True)
    assert "The review phase closed on" in page
    assert "(Europe/London)" in page and "(Asia/Kolkata)" in page
    assert "17:00 (Europe/London)" in page and "22:30 (Asia/Kolkata)" in page
    assert "Save review" not in page
    refused = client.post(
        f"/c/devcon/reviews/{proposal.id}",
        data=_data(relevance, clarity, comment_for_organisers="Changed", lock_version="1"),
    )
    assert refused.status_code == 403
    [review] = _reviews(db)
    assert review.comment_for_organisers == "Strong talk."


def test_second_save_of_a_stale_form_gets_409_with_input_kept(client, reviewer, conference, db):
    proposal, relevance, clarity = _setup(conference, reviewer, db)
    client.post(f"/c/devcon/reviews/{proposal.id}", data=_data(relevance, clarity))
    [review] = _reviews(db)
    loaded_version = str(review.lock_version)
    first = client.post(
        f"/c/devcon/reviews/{proposal.id}",
        data=_data(relevance, clarity, comment_for_organisers="Tab one", lock_version=loaded_version),
    )
    assert first.status_code == 302
    second = client.post(
        f"/c/devcon/reviews/{proposal.id}",
        data=_data(relevance, clarity, comment_for_organisers="Tab two text", lock_version=loaded_version),
    )
    body = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Tab two text" in body and "changed (perhaps in another tab)" in body
    assert "Tab one" in body  # the saved version is shown for comparison
    [review] = _reviews(db)
    assert review.comment_for_organisers == "Tab one"


def test_scores_only_change_still_moves_the_lock_version(client, reviewer, conference, db):
    proposal, relevance, clarity = _setup(conference, reviewer, db)
    client.post(f"/c/devcon/reviews/{proposal.id}", data=_data(relevance, clarity))
    version = str(_reviews(db)[0].lock_version)
    changed = _data(relevance, clarity, lock_version=version, **{f"score_{relevance.id}": "1"})
    assert client.post(f"/c/devcon/reviews/{proposal.id}", data=changed).status_code == 302
    assert client.post(f"/c/devcon/reviews/{proposal.id}", data=changed).status_code == 409


def test_double_submit_of_a_new_review_creates_one_review(client, reviewer, conference, db):
    proposal, relevance, clarity = _setup(conference, reviewer, db)
    for comment in ("First click", "Second click"):
        response = client.post(
            f"/c/devcon/reviews/{proposal.id}", data=_data(relevance, clarity, comment_for_organisers=comment)
        )
        assert response.status_code == 302
    [review] = _reviews(db)
    assert review.comment_for_organisers == "Second click"
