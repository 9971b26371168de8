"""The ranking shows, filters by and bulk-edits tags; its CSV has a "Tags" column and one per tag."""

from __future__ import annotations

import csv
import io

from conference.decisions.export import RANKING_HEADER
from conference.extensions import db as _db
from conference.proposals.models import ProposalState
from conference.tags.models import ProposalTag
from tests.conference.faults.conftest import count_queries
from tests.conference.tags.conftest import make_proposal, make_tag, tag_names_of
from tests.factories import ConferenceFactory, TrackFactory

RANKING = "/c/devcon/manage/ranking"


def _titles(page: str, titles) -> set[str]:
    return {title for title in titles if f">{title}</a>" in page}


def test_the_ranking_shows_each_proposals_tags(client, organiser, conference, db):
    tagged = make_proposal(conference, title="Tagged talk")
    make_proposal(conference, title="Plain talk")
    make_tag(conference, "Keynote candidate", colour="green", proposals=[tagged])
    db.session.commit()
    rows = client.get(RANKING).get_data(as_text=True).split("<tr>")[1:]  # the table, not the filters
    badge = '<span class="tag tag-colour-green">Keynote candidate</span>'
    assert [">Tagged talk</a>" in row for row in rows if badge in row] == [True]


def test_the_ranking_filters_by_every_ticked_tag_and_keeps_other_filters(client, organiser, conference, db):
    data = TrackFactory(conference=conference, name="Data")
    both = make_proposal(conference, title="Both tags", track=data)
    one = make_proposal(conference, title="Keynote only", track=data)
    elsewhere = make_proposal(conference, title="Both, other track")
    make_proposal(conference, title="Untagged")
    keynote = make_tag(conference, "Keynote", proposals=[both, one, elsewhere])
    mentor = make_tag(conference, "Mentor", proposals=[both, elsewhere])
    db.session.commit()
    titles = ("Both tags", "Keynote only", "Both, other track", "Untagged")

    page = client.get(RANKING, query_string={"tag": keynote.id}).get_data(as_text=True)
    assert _titles(page, titles) == {"Both tags", "Keynote only", "Both, other track"}
    page = client.get(RANKING, query_string=[("tag", keynote.id), ("tag", mentor.id)]).get_data(as_text=True)
    assert _titles(page, titles) == {"Both tags", "Both, other track"}
    assert f'id="filter-tag-{mentor.id}" name="tag" value="{mentor.id}" checked' in page
    page = client.get(
        RANKING, query_string=[("tag", keynote.id), ("tag", mentor.id), ("track", data.id), ("sort", "title")]
    ).get_data(as_text=True)
    assert _titles(page, titles) == {"Both tags"}
    # The sort links carry the tag filter along.
    assert f"tag={keynote.id}&amp;tag={mentor.id}" in page


def test_a_tag_filter_that_is_not_an_id_or_of_another_conference_is_harmless(client, organiser, conference, db):
    make_proposal(conference, title="A talk")
    foreign = make_tag(ConferenceFactory(), "Theirs")
    db.session.commit()
    assert ">A talk</a>" in client.get(RANKING, query_string={"tag": "x' OR 1=1"}).get_data(as_text=True)
    response = client.get(RANKING, query_string={"tag": foreign.id})
    assert response.status_code == 200
    assert ">A talk</a>" not in response.get_data(as_text=True)


def test_bulk_add_and_remove_a_tag_for_ticked_proposals(client, organiser, conference, db):
    first = make_proposal(conference)
    second = make_proposal(conference)
    confirmed = make_proposal(conference, state=ProposalState.CONFIRMED)
    untouched = make_proposal(conference)
    tag = make_tag(conference, "Keynote", proposals=[second])
    db.session.commit()
    page = client.get(RANKING).get_data(as_text=True)
    assert 'formaction="/c/devcon/manage/ranking/tags"' in page
    assert f'id="pick-{confirmed.id}"' in page  # tags go on decided proposals too

    response = client.post(
        "/c/devcon/manage/ranking/tags",
        data={"proposal_ids": [first.id, second.id, confirmed.id], "tag_id": tag.id, "tag_action": "add",
              "decision": "accepted", "sort": "title", "tag": [str(tag.id)]},
    )
    assert response.status_code == 302
    assert "sort=title" in response.headers["Location"] and f"tag={tag.id}" in response.headers["Location"]
    assert [tag_names_of(p) for p in (first, second, confirmed, untouched)] == [["Keynote"]] * 3 + [[]]
    assert first.state is ProposalState.SUBMITTED  # the decision select is not applied
    assert "“Keynote” is added to 2 proposal(s); 1 already had it." in client.get(RANKING).get_data(as_text=True)

    client.post("/c/devcon/manage/ranking/tags",
                data={"proposal_ids": [first.id, confirmed.id], "tag_id": tag.id, "tag_action": "remove"})
    assert [tag_names_of(p) for p in (first, second, confirmed)] == [[], ["Keynote"], []]


def test_bulk_tagging_refuses_a_tag_of_another_conference_and_foreign_proposals(client, organiser, conference, db):
    mine = make_proposal(conference)
    tag = make_tag(conference, "Keynote")
    foreign_tag = make_tag(ConferenceFactory(), "Theirs")
    foreign_proposal = make_proposal(foreign_tag.conference)
    db.session.commit()
    response = client.post("/c/devcon/manage/ranking/tags",
                           data={"proposal_ids": [mine.id], "tag_id": foreign_tag.id, "tag_action": "add"},
                           follow_redirects=True)
    assert "Choose a tag of this conference from the list." in response.get_data(as_text=True)
    assert tag_names_of(mine) == []
    response = client.post("/c/devcon/manage/ranking/tags",
                           data={"proposal_ids": [mine.id, foreign_proposal.id], "tag_id": tag.id, "tag_action": "add"})
    assert response.status_code == 404
    assert tag_names_of(mine) == [] and tag_names_of(foreign_proposal) == []
    response = client.post("/c/devcon/manage/ranking/tags",
                           data={"tag_id": tag.id, "tag_action": "add"}, follow_redirects=True)
    assert "Tick at least one proposal." in response.get_data(as_text=True)


def test_the_ranking_csv_has_a_tags_column(client, organiser, conference, db):
    tagged = make_proposal(conference, title="Tagged")
    make_proposal(conference, title="Plain")
    make_tag(conference, "Keynote", proposals=[tagged])
    make_tag(conference, "=Formula", proposals=[tagged])
    db.session.commit()
    rows = list(csv.reader(io.StringIO(client.get("/c/devcon/manage/ranking.csv").get_data(as_text=True))))
    assert rows[0][len(RANKING_HEADER) - 1] == "Tags"
    tags = {row[2]: row[RANKING_HEADER.index("Tags")] for row in rows[1:]}
    assert tags == {"Tagged": "'=Formula, Keynote", "Plain": ""}


def _exported(client, **query) -> tuple[list[str], dict[str, list[str]]]:
    """The CSV's header and each row's cells from the "Tags" column on, by title."""
    text = client.get("/c/devcon/manage/ranking.csv", query_string=query).get_data(as_text=True)
    header, *rows = csv.reader(io.StringIO(text))
    start = RANKING_HEADER.index("Tags")
    return header[start:], {row[2]: row[start:] for row in rows}


def test_the_ranking_csv_has_a_yes_column_per_tag_after_the_tags_column(client, organiser, conference, db):
    both = make_proposal(conference, title="Both")
    comma = make_proposal(conference, title="Comma only")
    make_proposal(conference, title="Plain")
    # Joined with ", " these two tags and the three "Big", "data" and "Keynote" read alike.
    make_tag(conference, "Big, data", proposals=[both, comma])
    make_tag(conference, "Keynote", proposals=[both])
    make_tag(conference, "Unused")
    db.session.commit()
    header, rows = _exported(client)
    assert header == ["Tags", "Tag: Big, data", "Tag: Keynote", "Tag: Unused"]
    assert rows == {
        "Both": ["Big, data, Keynote", "yes", "yes", ""],
        "Comma only": ["Big, data", "yes", "", ""],
        "Plain": ["", "", "", ""],
    }


def test_the_tag_columns_come_before_the_questions_and_cannot_become_formulas(client, organiser, conference, db):
    from tests.factories import CfpQuestionFactory

    proposal = make_proposal(conference, title="Tagged")
    make_tag(conference, "=cmd|calc", proposals=[proposal])
    CfpQuestionFactory(conference=conference, text="Takeaway?")
    db.session.commit()
    header, rows = _exported(client)
    assert header == ["Tags", "Tag: =cmd|calc", "Takeaway?"]
    assert rows["Tagged"] == ["'=cmd|calc", "yes", ""]


def test_the_tag_columns_are_empty_on_a_proposal_the_organiser_speaks_on(client, organiser, conference, db):
    own = make_proposal(conference, title="My own talk", speaker=organiser)
    other = make_proposal(conference, title="Their talk")
    make_tag(conference, "Reject pile", proposals=[own, other])
    db.session.commit()
    header, rows = _exported(client)
    assert header == ["Tags", "Tag: Reject pile"]
    assert rows == {"My own talk": ["", ""], "Their talk": ["Reject pile", "yes"]}


def test_the_ranking_runs_as_many_statements_for_one_proposal_as_for_twenty(app, client, organiser, conference, db):
    keynote = make_tag(conference, "Keynote")
    mentor = make_tag(conference, "Mentor")

    def add(number):
        for _ in range(number):
            proposal = make_proposal(conference, track=TrackFactory(conference=conference))
            _db.session.flush()
            _db.session.add_all([ProposalTag(proposal_id=proposal.id, tag_id=keynote.id),
                                 ProposalTag(proposal_id=proposal.id, tag_id=mentor.id)])
        _db.session.commit()

    def statements():
        client.get(RANKING)
        with count_queries(_db.engine) as recorded:
            page = client.get(RANKING).get_data(as_text=True)
        assert "Mentor</span>" in page
        return len(recorded)

    add(1)
    one = statements()
    add(19)
    assert statements() == one


def test_a_tag_filter_never_matches_a_proposal_the_organiser_speaks_on(client, organiser, conference, db):
    """An organiser does not see the tags of their own proposal; filtering by a tag must not
    tell them either (on the page or in the CSV)."""
    own = make_proposal(conference, title="My own talk", speaker=organiser)
    other = make_proposal(conference, title="Their talk")
    reject = make_tag(conference, "Reject pile", proposals=[own, other])
    db.session.commit()
    titles = ("My own talk", "Their talk")

    assert _titles(client.get(RANKING).get_data(as_text=True), titles) == set(titles)
    page = client.get(RANKING, query_string={"tag": reject.id}).get_data(as_text=True)
    assert _titles(page, titles) == {"Their talk"}
    exported = client.get(f"{RANKING}.csv", query_string={"tag": reject.id}).get_data(as_text=True)
    assert "Their talk" in exported and "My own talk" not in exported
