"""Join codes: short, random and easy to read aloud or copy from a poster."""

import secrets

# No 0/O, 1/I/L or U/V: people read these codes off a poster or hear them from a trainer.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
JOIN_CODE_LENGTH = 6


def random_join_code() -> str:
    """A random code; uniqueness across campaigns and cohorts is checked by the caller."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(raw: str) -> str:
    """Upper-case and strip the spaces and dashes people add when typing a code."""
    return "".join(raw.split()).replace("-", "").upper()


def new_join_code() -> str:
    """A join code not used by any campaign or cohort (model field default)."""
    from django.apps import apps

    Campaign = apps.get_model("campaigns", "Campaign")
    Cohort = apps.get_model("campaigns", "Cohort")
    while True:
        code = random_join_code()
        if not (
            Campaign.objects.filter(join_code=code).exists()
            or Cohort.objects.filter(join_code=code).exists()
        ):
            return code
