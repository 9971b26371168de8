"""The agenda's fixtures (hubs in London, New York and Bengaluru, an online stream, version 1)."""

from tests.conference.agenda.conftest import conference, draft, places, published  # noqa: F401
