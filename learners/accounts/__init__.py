"""Learner accounts: phone + SMS sign-in, consent, profile and the privacy actions of /me/."""
