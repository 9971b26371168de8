"""A read-only JSON API for integrations, authenticated by per-conference bearer tokens."""
