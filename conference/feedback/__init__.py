"""Attendees' feedback on talks they attended, and its aggregates for speakers and organisers."""
