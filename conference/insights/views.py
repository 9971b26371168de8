"""Routes of the insights area: charts for organisers about proposals, reviews, feedback and reach.

Every chart is server-rendered SVG with a title, a description and the same numbers in a
table, so the page works without scripts and for screen readers.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from conference.conferences.access import conference_with_role
from conference.conferences.models import Role
from conference.decisions import charts as decision_charts
from conference.decisions.queries import proposals_per_track_and_state
from conference.insights import charts, queries
from conference.proposals.models import ProposalState

blueprint = Blueprint("insights", __name__)


def _proposal_chart(conference):
    per_track = proposals_per_track_and_state(conference)
    shown_states = [
        state
        for state in ProposalState
        if state is not ProposalState.DRAFT and any(row.per_state.get(state) for row in per_track)
    ]
    chart = decision_charts.stacked_bar_chart(
        [
            (row.label, [(state.value, row.per_state.get(state, 0)) for state in shown_states])
            for row in per_track
        ],
        [state.value for state in shown_states],
    )
    return {"per_track": per_track, "shown_states": shown_states, "proposal_chart": chart}


def _review_charts(conference):
    means = queries.mean_review_scores(conference)
    bins = charts.percent_bins()
    counts = charts.bin_values(means, bins)
    distributions = [d for d in queries.criterion_distributions(conference) if d.total]
    return {
        "review_means": means,
        "score_histogram": charts.histogram(
            list(zip((b.label for b in bins), counts, strict=True))
        ),
        "criterion_histograms": [
            (
                distribution,
                charts.histogram(
                    [(str(value), count) for value, count in distribution.counts], width=300
                ),
            )
            for distribution in distributions
        ],
    }


def _feedback_chart(conference):
    rows = queries.feedback_per_talk(conference)
    chart = charts.value_bar_chart(
        [
            (
                row.title,
                row.mean_rating or 0.0,
                f"{row.mean_rating:.2f} from {row.responses}"
                if row.mean_rating is not None
                else f"no ratings, {row.responses}",
            )
            for row in rows
        ],
        scale_max=5,
    )
    return {
        "feedback_rows": rows,
        "feedback_chart": chart,
        "rating_questions": queries.rating_questions(conference),
    }


def _coverage_heatmap(conference):
    table = queries.agenda_coverage(conference)
    if table is None:
        return {"coverage": None, "heatmap": None}
    column_labels = [f"{day:%a %d %b}" for day in table.days] + ["All days"]
    heatmap = charts.heatmap(
        [row.zone.label for row in table.rows],
        column_labels,
        [[cell.share for cell in row.cells] + [row.overall.share] for row in table.rows],
    )
    return {"coverage": table, "heatmap": heatmap, "column_labels": column_labels}


@blueprint.route("/c/<slug>/manage/insights")
@login_required
def overview(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "insights/overview.html",
        conference=conference,
        **_proposal_chart(conference),
        **_review_charts(conference),
        **_feedback_chart(conference),
        **_coverage_heatmap(conference),
    )
