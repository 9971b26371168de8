"""A proposal's discussion: organisers and the reviewers who have reviewed it talk in comments
that its speakers never see."""

from __future__ import annotations

import re

import pytest

from conference.conferences.models import Role
from conference.discussion.models import ProposalComment
from conference.mail.models import OutboxMessage
from conference.proposals.models import ProposalState
from tests.conference.decisions.conftest import add_review, make_proposal, make_reviewer
from tests.conference.organisers.conftest import make_user
from tests.factories import (
    ConferenceFactory,
    ConflictFactory,
    ProposalSpeakerFactory,
    ReviewAssignmentFactory,
    RoleFactory,
)


@pytest.fixture
def conference(db):
    conference = ConferenceFactory(slug="devcon", name="DevCon", time_zone="Europe/London")
    db.session.commit()
    return conference


@pytest.fixture
def scene(db, conference):
    """A submitted proposal with one speaker, an organiser, a reviewer who reviewed it and one
    assigned who has not yet."""
    proposal = make_proposal(conference, title="Tracing at scale")
    organiser = make_user(display_name="Olga Organiser")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    done = make_reviewer(conference, "Rita Reviewed")
    pending = make_reviewer(conference, "Paul Pending")
    for reviewer in (done, pending):
        ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer)
    add_review(proposal, done, 4)
    db.session.commit()
    return proposal, organiser, done, pending


def _switch(client, login, user):
    """Log ``user`` in, after whoever was logged in before."""
    client.post("/logout")
    login(user)


def _discussion(html: str) -> str:
    found = re.search(r'<section id="discussion".*?</section>', html, re.S)
    return found.group(0) if found else ""


def _post(client, proposal, body, back="manage"):
    return client.post(f"/c/devcon/proposals/{proposal.id}/discussion",
                       data={"comment-body": body, "comment-back": back})


def _manage_page(client, proposal) -> str:
    response = client.get(f"/c/devcon/manage/proposals/{proposal.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _review_page(client, proposal) -> str:
    response = client.get(f"/c/devcon/reviews/{proposal.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_organisers_and_reviewers_who_reviewed_discuss_a_proposal(client, login, scene, db):
    proposal, organiser, done, pending = scene
    _switch(client, login, organiser)
    response = _post(client, proposal, "Does this **overlap** with the observability keynote?")
    comment = db.session.scalars(db.select(ProposalComment)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/c/devcon/manage/proposals/{proposal.id}#comment-{comment.id}")
    thread = _discussion(_manage_page(client, proposal))
    assert "Olga Organiser" in thread and "<strong>overlap</strong>" in thread

    _switch(client, login, done)
    thread = _discussion(_review_page(client, proposal))
    assert "Olga Organiser" in thread and "observability keynote" in thread
    response = _post(client, proposal, "Some, but the angle differs.", back="review")
    assert response.headers["Location"].endswith(f"/c/devcon/reviews/{proposal.id}#comment-{comment.id + 1}")
    thread = _discussion(_review_page(client, proposal))
    assert thread.index("observability keynote") < thread.index("the angle differs")


def test_a_reviewer_reads_the_discussion_only_after_reviewing(client, login, scene, db):
    proposal, organiser, done, pending = scene
    _switch(client, login, organiser)
    _post(client, proposal, "Leaning towards accepting.")
    _switch(client, login, pending)
    thread = _discussion(_review_page(client, proposal))
    assert "once you have saved your review" in thread
    assert "Leaning towards accepting." not in thread
    assert _post(client, proposal, "Sneaky.").status_code == 404
    # Once they have reviewed, it opens.
    add_review(proposal, pending, 2)
    db.session.commit()
    assert "Leaning towards accepting." in _discussion(_review_page(client, proposal))


def test_speakers_never_see_the_discussion_even_as_organisers(client, login, scene, db):
    proposal, organiser, done, pending = scene
    _switch(client, login, organiser)
    _post(client, proposal, "The speaker must not read this.")
    speaking_organiser = make_user(display_name="Sam Speaker")
    RoleFactory(conference=proposal.conference, user=speaking_organiser, role=Role.ORGANISER)
    ProposalSpeakerFactory(proposal=proposal, user=speaking_organiser)
    db.session.commit()
    _switch(client, login, speaking_organiser)
    thread = _discussion(_manage_page(client, proposal))
    assert "You are a speaker of this proposal, so its discussion is hidden from you." in thread
    assert "must not read this" not in thread
    assert _post(client, proposal, "Let me weigh in.").status_code == 404
    # The speaker's own pages do not carry it either.
    speaker = proposal.speakers[0].user
    _switch(client, login, speaker)
    assert "must not read this" not in client.get(f"/c/devcon/proposals/{proposal.id}").get_data(as_text=True)
    assert _post(client, proposal, "Hello?").status_code == 403


def test_unassigned_reviewers_and_other_conferences_get_nothing(client, login, scene, db):
    proposal, organiser, done, pending = scene
    _switch(client, login, organiser)
    _post(client, proposal, "Internal.")
    stranger = make_reviewer(proposal.conference, "Unassigned Reviewer")
    db.session.commit()
    _switch(client, login, stranger)
    assert _post(client, proposal, "Me too.").status_code == 404
    comment = db.session.scalars(db.select(ProposalComment)).one()
    assert client.get(f"/c/devcon/proposals/{proposal.id}/discussion/{comment.id}").status_code == 404
    other = ConferenceFactory(slug="other")
    RoleFactory(conference=other, user=stranger, role=Role.ORGANISER)
    db.session.commit()
    # The proposal's id under another conference's address is a 404.
    assert client.post(f"/c/other/proposals/{proposal.id}/discussion",
                       data={"comment-body": "x"}).status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(ProposalComment)) == 1


def test_an_empty_or_too_long_comment_is_refused_with_the_text_kept(client, login, scene, db):
    proposal, organiser, *_ = scene
    _switch(client, login, organiser)
    empty = _post(client, proposal, "   ")
    assert empty.status_code == 400
    assert "Write something before posting." in empty.get_data(as_text=True)
    long_text = "word " * 1001
    too_long = _post(client, proposal, long_text)
    page = too_long.get_data(as_text=True)
    assert too_long.status_code == 400
    assert "Keep a comment under 5000 characters; it has 5005." in page
    assert long_text.strip() in page
    assert db.session.scalar(db.select(db.func.count()).select_from(ProposalComment)) == 0


def test_authors_edit_their_comments_and_organisers_delete_any(client, login, scene, db):
    proposal, organiser, done, pending = scene
    _switch(client, login, done)
    _post(client, proposal, "Firts thoughts.", back="review")
    comment = db.session.scalars(db.select(ProposalComment)).one()
    edit_url = f"/c/devcon/proposals/{proposal.id}/discussion/{comment.id}"
    assert "Firts thoughts." in client.get(edit_url).get_data(as_text=True)
    response = client.post(edit_url, data={"comment-body": "First thoughts.", "comment-back": "review"})
    assert response.status_code == 302
    thread = _discussion(_review_page(client, proposal))
    assert "First thoughts." in thread and "(edited " in thread

    # Another reviewer can neither edit nor delete it.
    add_review(proposal, pending, 3)
    db.session.commit()
    _switch(client, login, pending)
    assert "Edit or delete" not in _discussion(_review_page(client, proposal))
    assert client.post(edit_url, data={"comment-body": "Hijacked"}).status_code == 403
    assert client.post(f"{edit_url}/delete").status_code == 403

    # An organiser may delete it (not edit it).
    _switch(client, login, organiser)
    thread = _discussion(_manage_page(client, proposal))
    assert re.search(r">Delete<span class=\"visually-hidden\"> this comment", thread)
    assert client.post(edit_url, data={"comment-body": "Reworded"}).status_code == 403
    response = client.post(f"{edit_url}/delete")
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(ProposalComment)) == 0


def test_a_decided_proposal_closes_the_discussion_to_reviewers_but_not_organisers(client, login, scene, db):
    proposal, organiser, done, pending = scene
    _switch(client, login, done)
    _post(client, proposal, "Before the decision.", back="review")
    proposal.state = ProposalState.ACCEPTED
    db.session.commit()
    thread = _discussion(_review_page(client, proposal))
    assert "Before the decision." in thread
    assert "closed to reviewers now that the proposal is decided" in thread
    assert _post(client, proposal, "After.", back="review").status_code == 403
    _switch(client, login, organiser)
    assert _post(client, proposal, "Organisers still can.").status_code == 302


def test_comments_are_markdown_without_scripts(client, login, scene, db):
    proposal, organiser, *_ = scene
    _switch(client, login, organiser)
    _post(client, proposal, "<script>alert(1)</script> [link](javascript:alert(1)) *fine*")
    thread = _discussion(_manage_page(client, proposal))
    assert "<script>" not in thread and "&lt;script&gt;" in thread
    assert 'href="javascript' not in thread
    assert "<em>fine</em>" in thread


def test_the_ranking_counts_each_proposals_comments(client, login, scene, db):
    proposal, organiser, *_ = scene
    quiet = make_proposal(proposal.conference, title="Quiet one")
    db.session.commit()
    _switch(client, login, organiser)
    _post(client, proposal, "One.")
    _post(client, proposal, "Two.")
    ranking = client.get("/c/devcon/manage/ranking").get_data(as_text=True)
    link = f'href="/c/devcon/manage/proposals/{proposal.id}#discussion">2 comments'
    assert link in ranking
    assert f"/c/devcon/manage/proposals/{quiet.id}#discussion" not in ranking


def test_earlier_participants_get_an_email_once_per_comment_if_they_may_still_read(client, login, scene, db):
    proposal, organiser, done, pending = scene
    _switch(client, login, done)
    _post(client, proposal, "My first thought.", back="review")
    add_review(proposal, pending, 3)
    db.session.commit()
    _switch(client, login, pending)
    _post(client, proposal, "I agree.", back="review")
    # Rita, the only earlier participant, is told; Paul, the author, is not.
    messages = db.session.scalars(db.select(OutboxMessage)).all()
    assert [m.recipient for m in messages] == [done.email]
    assert messages[0].subject == "New comment on “Tracing at scale”"
    assert "Paul Pending commented" in messages[0].body and "I agree." in messages[0].body
    assert f"/c/devcon/reviews/{proposal.id}#discussion" in messages[0].body

    # A conflict declared since keeps the next one from Rita; the organiser, new here, gets none.
    ConflictFactory(conference_id=proposal.conference_id, reviewer=done, proposal=proposal)
    db.session.commit()
    _switch(client, login, organiser)
    _post(client, proposal, "Thanks both.")
    recipients = sorted(m.recipient for m in db.session.scalars(db.select(OutboxMessage)))
    assert recipients == sorted([done.email, pending.email])
    to_paul = [m for m in db.session.scalars(db.select(OutboxMessage)) if m.recipient == pending.email][0]
    assert f"/c/devcon/reviews/{proposal.id}#discussion" in to_paul.body


def _follow(client, proposal, follow: str, back="manage"):
    return client.post(f"/c/devcon/proposals/{proposal.id}/discussion/follow",
                       data={"follow-follow": follow, "follow-back": back})


def _recipients(db, comment: str | None = None) -> list[str]:
    """Who was e-mailed (about ``comment``, when given)."""
    return sorted(m.recipient for m in db.session.scalars(db.select(OutboxMessage))
                  if comment is None or comment in m.body)


def test_anyone_who_may_read_follows_the_discussion_by_e_mail_and_stops(client, login, scene, db):
    proposal, organiser, done, pending = scene
    _switch(client, login, organiser)
    discussion = _discussion(_manage_page(client, proposal))
    assert "Follow this discussion</button>" in discussion
    assert "writing a comment follows it too" in discussion

    response = _follow(client, proposal, "1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/c/devcon/manage/proposals/{proposal.id}#discussion")
    discussion = _discussion(_manage_page(client, proposal))
    assert "You follow this discussion: each new comment is e-mailed to you." in discussion
    assert "Stop following</button>" in discussion

    # Rita, who reviewed but never wrote, comments: the organiser is told, having followed.
    _switch(client, login, done)
    assert "Follow this discussion</button>" in _discussion(_review_page(client, proposal))
    _post(client, proposal, "Strong abstract.", back="review")
    [message] = db.session.scalars(db.select(OutboxMessage)).all()
    assert message.recipient == organiser.email
    assert "which you follow" in message.body and "Stop following" in message.body
    assert f"/c/devcon/manage/proposals/{proposal.id}#discussion" in message.body

    # Rita follows now that she wrote; she stops, from her review page.
    assert "Stop following</button>" in _discussion(_review_page(client, proposal))
    response = _follow(client, proposal, "0", back="review")
    assert response.headers["Location"].endswith(f"/c/devcon/reviews/{proposal.id}#discussion")
    _switch(client, login, organiser)
    _post(client, proposal, "Agreed, accept.")
    assert _recipients(db, "Agreed, accept.") == []

    # Writing again follows again.
    _switch(client, login, done)
    _post(client, proposal, "One more thing.", back="review")
    _switch(client, login, organiser)
    _post(client, proposal, "Noted.")
    assert _recipients(db, "One more thing.") == [organiser.email]
    assert _recipients(db, "Noted.") == [done.email]


def test_following_twice_or_stopping_when_not_following_writes_nothing_new(client, login, scene, db):
    from conference.discussion.models import DiscussionFollower

    proposal, organiser, _done, _pending = scene
    _switch(client, login, organiser)
    _follow(client, proposal, "1")
    _follow(client, proposal, "1")
    assert db.session.scalar(db.select(db.func.count()).select_from(DiscussionFollower)) == 1
    _follow(client, proposal, "0")
    _follow(client, proposal, "0")
    assert db.session.scalar(db.select(db.func.count()).select_from(DiscussionFollower)) == 0


@pytest.mark.parametrize("value", ["", "yes", "2"])
def test_a_follow_form_without_a_clear_choice_is_refused_with_nothing_written(client, login, scene, db, value):
    from conference.discussion.models import DiscussionFollower

    proposal, organiser, _done, _pending = scene
    _switch(client, login, organiser)
    response = _follow(client, proposal, value)
    assert response.status_code == 400
    assert "Choose to follow the discussion or to stop following it." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(DiscussionFollower)) == 0


def test_only_those_who_may_read_the_discussion_may_follow_it(client, login, scene, db):
    from conference.discussion.models import DiscussionFollower

    proposal, organiser, _done, pending = scene
    speaker = make_user(display_name="Sam Speaker")
    ProposalSpeakerFactory(proposal=proposal, user=speaker)
    RoleFactory(conference=proposal.conference, user=speaker, role=Role.ORGANISER)
    db.session.commit()
    # Paul has not reviewed yet; Sam speaks on it, though he organises.
    for person in (pending, speaker):
        _switch(client, login, person)
        assert _follow(client, proposal, "1").status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(DiscussionFollower)) == 0


def test_a_follower_who_may_no_longer_read_gets_no_e_mail(client, login, scene, db):
    proposal, organiser, done, _pending = scene
    _switch(client, login, done)
    _follow(client, proposal, "1", back="review")
    ConflictFactory(conference_id=proposal.conference_id, reviewer=done, proposal=proposal)
    db.session.commit()
    _switch(client, login, organiser)
    _post(client, proposal, "Anyone?")
    assert _recipients(db) == []


def test_a_comment_racing_a_follow_of_the_same_person_is_kept(client, login, scene, db, monkeypatch):
    """Two requests of one person (a double click, two comments at once) both find them not
    following; the second insert meets the first's row and must neither fail nor lose the comment."""
    from conference.discussion import operations
    from conference.discussion.models import DiscussionFollower

    proposal, organiser, _done, _pending = scene
    db.session.add(DiscussionFollower(proposal_id=proposal.id, user_id=organiser.id))
    db.session.commit()
    monkeypatch.setattr(operations, "is_following", lambda _proposal, _user: False)
    _switch(client, login, organiser)

    response = _post(client, proposal, "Posted while a follow raced it.")

    assert response.status_code == 302
    assert [c.body for c in db.session.scalars(db.select(ProposalComment))] == ["Posted while a follow raced it."]
    assert db.session.scalar(db.select(db.func.count()).select_from(DiscussionFollower)) == 1
    assert _follow(client, proposal, "1").status_code == 302


def test_the_discussions_one_follows_are_listed_most_recently_active_first(client, login, scene, db, conference):
    proposal, organiser, done, _pending = scene
    quiet = make_proposal(conference, title="Quiet proposal")
    conflicted = make_proposal(conference, title="Now conflicted")
    for other in (quiet, conflicted):
        ReviewAssignmentFactory(proposal=other, reviewer=done)
        add_review(other, done, 3)
    db.session.commit()
    _switch(client, login, done)
    _follow(client, quiet, "1", back="review")
    _post(client, conflicted, "Before my conflict.", back="review")
    _post(client, proposal, "Latest thought.", back="review")
    ConflictFactory(conference_id=conference.id, reviewer=done, proposal=conflicted)
    db.session.commit()

    page = client.get("/c/devcon/discussions").get_data(as_text=True)

    rows = re.findall(r'<th scope="row"><a href="([^"]*)">([^<]*)</a></th>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>', page)
    assert [(title, count) for _href, title, count, _last in rows] == [("Tracing at scale", "1"), ("Quiet proposal", "0")]
    assert rows[0][0] == f"/c/devcon/reviews/{proposal.id}#discussion"
    assert rows[0][3].endswith(", Rita Reviewed") and rows[1][3] == "No comments yet"
    assert "Now conflicted" not in page  # a conflict declared since hides it

    _switch(client, login, organiser)
    _follow(client, quiet, "1")
    page = client.get("/c/devcon/discussions").get_data(as_text=True)
    assert f'href="/c/devcon/manage/proposals/{quiet.id}#discussion">Quiet proposal</a>' in page
    assert "Tracing at scale" not in page


def test_only_organisers_and_reviewers_have_a_list_of_discussions(client, login, scene, db):
    speaker = make_user(display_name="Sam Speaker")
    db.session.commit()
    _switch(client, login, speaker)
    assert client.get("/c/devcon/discussions").status_code == 403


def test_the_list_of_followed_discussions_makes_as_many_queries_for_one_as_for_many(
        client, login, scene, db, conference):
    from conference.discussion.models import DiscussionFollower
    from tests.statements import statements_for_page

    proposal, _organiser, done, _pending = scene
    _switch(client, login, done)
    _post(client, proposal, "Following by writing.", back="review")
    one = statements_for_page(db.engine, client, "/c/devcon/discussions")
    followed = []
    for number in range(6):
        other = make_proposal(conference, title=f"Proposal {number}")
        ReviewAssignmentFactory(proposal=other, reviewer=done)
        add_review(other, done, 3)
        db.session.add(ProposalComment(conference_id=conference.id, proposal_id=other.id,
                                       author_id=done.id, body=f"On {number}."))
        followed.append(other)
    # Followed, but no longer readable (a conflict since) or not yet (not reviewed).
    conflicted, unreviewed = make_proposal(conference, title="Conflicted"), make_proposal(conference, title="To do")
    ReviewAssignmentFactory(proposal=conflicted, reviewer=done)
    ReviewAssignmentFactory(proposal=unreviewed, reviewer=done)
    add_review(conflicted, done, 3)
    ConflictFactory(conference_id=conference.id, reviewer=done, proposal=conflicted)
    db.session.add_all([DiscussionFollower(proposal_id=other.id, user_id=done.id)
                        for other in (*followed, conflicted, unreviewed)])
    db.session.commit()

    many = statements_for_page(db.engine, client, "/c/devcon/discussions")
    page = client.get("/c/devcon/discussions").get_data(as_text=True)

    assert page.count('<th scope="row">') == 7
    assert "Conflicted" not in page and "To do" not in page
    assert many == one
