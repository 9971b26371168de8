"""Slides and recordings attached to talks, and attendees' catch-up list."""
