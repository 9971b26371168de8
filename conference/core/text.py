"""Matching typed text the way people expect: case and accents ignored, spaces collapsed."""

from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    """``text`` for matching: case and accents ignored, spaces collapsed ("García" ~ "garcia")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
