"""Organisers' own labels on proposals, for triage ("keynote candidate", "needs mentor")."""
