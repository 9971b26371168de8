"""Charts for organisers: proposals, reviews, feedback and time-zone coverage."""
