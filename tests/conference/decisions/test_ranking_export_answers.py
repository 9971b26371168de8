"""The ranking CSV carries one column per question of the call, formula-safe like the rest."""

import csv
import io

from conference.decisions.export import RANKING_HEADER, ranking_csv
from conference.proposals.models import CfpQuestionKind, ProposalState
from tests.conference.decisions.conftest import make_proposal
from tests.factories import CfpAnswerFactory, CfpQuestionFactory, ConferenceFactory


def _rows(client) -> list[list[str]]:
    response = client.get("/c/devcon/manage/ranking.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_each_question_is_a_column_with_each_proposals_answer(client, organiser, conference, db):
    takeaway = CfpQuestionFactory(conference=conference, text="Takeaway?", position=1)
    repeat = CfpQuestionFactory(
        conference=conference, text="Twice?", kind=CfpQuestionKind.YES_NO, position=2
    )
    level = CfpQuestionFactory(
        conference=conference, text="Depth?", kind=CfpQuestionKind.CHOICE, options=["Intro"],
        position=3,
    )
    retired = CfpQuestionFactory(conference=conference, text="Old?", position=4, active=False)
    answered = make_proposal(conference, title="Answered")
    make_proposal(conference, title="Silent")
    make_proposal(conference, title="A draft", state=ProposalState.DRAFT)
    CfpAnswerFactory(proposal=answered, question=takeaway, value="Line one,\nline two")
    CfpAnswerFactory(proposal=answered, question=repeat, value="yes")
    CfpAnswerFactory(proposal=answered, question=level, value="Deep dive")  # since removed
    CfpAnswerFactory(proposal=answered, question=retired, value="Kept")
    db.session.commit()

    header, *rows = _rows(client)

    assert header == [*RANKING_HEADER, "Takeaway?", "Twice?", "Depth?", "Old? (retired)"]
    by_title = {row[2]: row[len(RANKING_HEADER):] for row in rows}
    assert by_title == {
        "Answered": ["Line one,\nline two", "Yes", "Deep dive", "Kept"],
        "Silent": ["", "", "", ""],
    }


def test_hostile_questions_and_answers_cannot_become_formulas(client, organiser, conference, db):
    question = CfpQuestionFactory(conference=conference, text='=HYPERLINK("http://evil.example")')
    proposal = make_proposal(conference, title="Plain title")
    CfpAnswerFactory(proposal=proposal, question=question, value="@SUM(A1)")
    db.session.commit()

    header, row = _rows(client)

    assert header[-1] == "'=HYPERLINK(\"http://evil.example\")"
    assert row[-1] == "'@SUM(A1)"
    for cell in header + row:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


def test_questions_and_answers_of_another_conference_are_not_exported(
    client, organiser, conference, db
):
    foreign = CfpQuestionFactory(conference=ConferenceFactory(slug="elsewhere"), text="Foreign?")
    CfpAnswerFactory(question=foreign, value="Theirs")
    make_proposal(conference, title="Ours")
    db.session.commit()

    header, row = _rows(client)

    assert header == list(RANKING_HEADER)
    assert "Theirs" not in row


def test_the_exporter_without_questions_writes_the_ranking_columns_only():
    assert ranking_csv([]) == ",".join(RANKING_HEADER) + "\r\n"
