"""Reviewers read the answers to the call's questions, as far as each question allows."""

import pytest

from conference.proposals.models import CfpQuestionKind, ReviewerVisibility
from tests.conference.reviews.conftest import assign, make_proposal
from tests.factories import CfpAnswerFactory, CfpQuestionFactory


@pytest.fixture
def answered(db, conference, reviewer):
    """A proposal assigned to the reviewer, answering one question of each visibility."""
    proposal = make_proposal(conference, title="Flags at scale")
    assign(proposal, reviewer)
    for position, (text, visibility, value) in enumerate(
        (
            ("What will attendees take away?", ReviewerVisibility.ALWAYS, "Safer deploys"),
            ("Where did you give it before?", ReviewerVisibility.UNLESS_ANONYMISED, "AcmeConf Berlin"),
            ("Your employer?", ReviewerVisibility.NEVER, "Acme Rockets"),
        ),
        start=1,
    ):
        question = CfpQuestionFactory(
            conference=conference, text=text, reviewer_visibility=visibility, position=position
        )
        CfpAnswerFactory(proposal=proposal, question=question, value=value)
    db.session.commit()
    return proposal


def test_anonymised_review_hides_answers_that_may_reveal_the_speaker(client, answered):
    body = client.get(f"/c/devcon/reviews/{answered.id}").get_data(as_text=True)

    assert "Answers to the call's questions" in body
    assert "Safer deploys" in body
    assert "AcmeConf Berlin" not in body and "Where did you give it before?" not in body
    assert "Acme Rockets" not in body and "Your employer?" not in body


def test_without_anonymised_review_only_organiser_only_answers_stay_hidden(
    client, db, conference, answered
):
    conference.settings = {**conference.settings, "anonymised_review": False}
    db.session.commit()

    body = client.get(f"/c/devcon/reviews/{answered.id}").get_data(as_text=True)

    assert "Safer deploys" in body
    assert "AcmeConf Berlin" in body
    assert "Acme Rockets" not in body


def test_answers_to_retired_questions_and_removed_options_are_shown_as_given(
    client, db, conference, reviewer
):
    proposal = make_proposal(conference)
    assign(proposal, reviewer)
    retired = CfpQuestionFactory(conference=conference, text="Old question?", active=False)
    level = CfpQuestionFactory(
        conference=conference, text="Level?", kind=CfpQuestionKind.CHOICE, options=["Deep dive"]
    )
    repeat = CfpQuestionFactory(conference=conference, text="Twice?", kind=CfpQuestionKind.YES_NO)
    CfpAnswerFactory(proposal=proposal, question=retired, value="Still relevant")
    CfpAnswerFactory(proposal=proposal, question=level, value="Overview")
    CfpAnswerFactory(proposal=proposal, question=repeat, value="no")
    db.session.commit()

    body = client.get(f"/c/devcon/reviews/{proposal.id}").get_data(as_text=True)

    assert "Still relevant" in body
    assert 'Overview</span> <small class="answer-note">(no longer one of the options)</small>' in body
    assert '<dt>Twice?</dt><dd><span class="pre-line">No</span></dd>' in body


def test_a_proposal_without_answers_shows_no_answers_section(client, db, conference, reviewer):
    proposal = make_proposal(conference)
    assign(proposal, reviewer)
    CfpQuestionFactory(conference=conference, text="Unanswered?")
    db.session.commit()

    body = client.get(f"/c/devcon/reviews/{proposal.id}").get_data(as_text=True)

    assert "Answers to the call" not in body
    assert "Unanswered?" not in body
