"""The check-in desk at each hub on the conference days, and the printable name badges."""
