"""Accounts: sign-in security (lockout, two-factor login), session rules and security headers."""
