"""The knowledge archive: every past talk searchable, topic tags, the recordings feed."""
