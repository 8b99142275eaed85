"""Join codes: short, random and easy to read aloud or copy from a poster."""

import secrets

# Generated codes avoid 0/O, 1/I/L and U/V: people read them off a poster or hear them from a
# trainer. Codes an officer chooses may use every digit and every letter but I and O.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
JOIN_CODE_LENGTH = 6


def random_join_code() -> str:
    """A random code; uniqueness across campaigns and cohorts is checked by the caller."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


# Codes never contain the letters I or O: a typed I or O is the digit it looks like (decision 0091).
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1"})


def normalise_join_code(raw: str) -> str:
    """Upper-case, strip the spaces and dashes people add, and read I and O as 1 and 0."""
    return "".join(raw.split()).replace("-", "").upper().translate(LOOK_ALIKES)


def new_join_code() -> str:
    """A join code not used by any campaign or cohort (model field default)."""
    from .models import Campaign, Cohort  # the models use this as a field default

    while True:
        code = random_join_code()
        if not (
            Campaign.objects.filter(join_code=code).exists()
            or Cohort.objects.filter(join_code=code).exists()
        ):
            return code
