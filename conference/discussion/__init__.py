"""The review committee's discussion of a proposal: organisers and its reviewers, never its speakers."""
