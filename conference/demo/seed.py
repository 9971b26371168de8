"""Deterministic demo data (filled in by the demo seeding work)."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.conferences.models import Conference
from conference.extensions import db

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo logins, documented in README


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Conference))


def seed_demo() -> list[tuple[str, str]]:
    raise NotImplementedError
