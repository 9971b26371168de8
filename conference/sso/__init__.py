"""Log-in through the company's OpenID Connect provider (single sign-on)."""
