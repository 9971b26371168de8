"""Live audience questions on published talks: asked, upvoted and moderated during the talk."""
