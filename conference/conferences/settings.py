"""Saving a conference's settings: one JSON column that several areas share (review, feedback,
the solver's goals, audience questions), so each save merges its own keys into what the
database holds at that moment rather than into the copy read when the page was opened."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect

from conference.conferences.models import Conference
from conference.extensions import db


def merge_settings(conference: Conference, values: Mapping[str, Any]) -> None:
    """Store ``values`` among ``conference``'s settings, keeping every other key as it is now.

    The row is locked and its settings read again first (on PostgreSQL; SQLite has one writer
    at a time), so two organisers saving different settings at once, the questions switch and
    the feedback period say, both keep theirs. The caller's flush or commit writes it.
    """
    if inspect(conference).persistent:  # a conference being made has no row to read yet
        db.session.refresh(conference, attribute_names=["settings"], with_for_update=True)
    # A new dict, so SQLAlchemy notices the JSON column changed.
    conference.settings = {**(conference.settings or {}), **values}
