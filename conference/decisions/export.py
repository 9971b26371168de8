"""The ranking as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from conference.proposals.models import CfpQuestion
from conference.proposals.questions import answer_text
from conference.tags.models import Tag

# A spreadsheet treats a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

RANKING_HEADER = (
    "Rank", "Proposal id", "Title", "Track", "Format", "State", "Speakers", "Reviews",
    "Mean score", "Normalised score", "Spread (max - min)", "Standard deviation", "Tags",
)
# A tag's own column holds this for each proposal carrying it, and nothing for the others.
CARRIES_TAG = "yes"


def safe_cell(value) -> str:
    """Text of a cell, with a leading apostrophe when a spreadsheet would read a formula."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.2f}"
        # Negative numbers are data, not formulas; keep them numeric.
        return text
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def question_heading(question: CfpQuestion) -> str:
    """A question's column heading; a retired question's answers are still exported."""
    return question.text if question.active else f"{question.text} (retired)"


def tag_heading(tag: Tag) -> str:
    """A tag's column heading: its name, which may hold commas, stays whole in its own cell."""
    return f"Tag: {tag.name}"


def ranking_csv(
    rows: Iterable,
    questions: Sequence[CfpQuestion] = (),
    answers: Mapping[int, Mapping[int, str]] | None = None,
    tags: Sequence[Tag] = (),
) -> str:
    """CSV text of ranking rows (``conference.decisions.queries.RankingRow``), then one column
    per tag of ``tags`` (the tags the viewer may see) saying "yes" where a row carries it, then
    one column per question of the call with each proposal's answer (``answers``: proposal id
    -> question id -> answer)."""
    answers = answers or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([
        *RANKING_HEADER,
        *(safe_cell(tag_heading(tag)) for tag in tags),
        *(safe_cell(question_heading(q)) for q in questions),
    ])
    for rank, row in enumerate(rows, start=1):
        proposal, statistics = row.proposal, row.statistics
        cells: Sequence = (
            rank, proposal.id, proposal.title,
            proposal.track.name if proposal.track else "",
            proposal.session_format.name, proposal.state.value, row.speaker_names,
            statistics.review_count, _number(statistics.mean_score),
            _number(statistics.normalised_score), _number(statistics.spread),
            _number(statistics.standard_deviation),
            ", ".join(tag.name for tag in row.tags),
        )
        carried = {tag.id for tag in row.tags}
        given = answers.get(proposal.id, {})
        cells = (
            *cells,
            *(CARRIES_TAG if tag.id in carried else "" for tag in tags),
            *(answer_text(q, given.get(q.id, "")) for q in questions),
        )
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()
