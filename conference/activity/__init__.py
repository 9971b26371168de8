"""The activity log: who did what to a conference and its proposals, and when."""
