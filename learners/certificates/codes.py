"""Short certificate codes: 15 random digits and a Damm check digit, read aloud in fours.

Digits only, because a farmer reads the code over the phone in Chinese, where Latin letters are
easy to mishear; 15 random digits carry 49.8 bits, and the check digit catches every single
wrong digit and every swap of two neighbours before a lookup (docs/decisions/0032-short-codes.md).
"""

import re
import secrets
import unicodedata

RANDOM_DIGITS = 15
CODE_LENGTH = RANDOM_DIGITS + 1
CODE_PATTERN = re.compile(rf"^\d{{{CODE_LENGTH}}}$")

# The Damm quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_digit(digits: str) -> str:
    """The Damm check digit of a string of digits."""
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return str(interim)


def new_code() -> str:
    """A fresh random code (16 digits, the last one a check digit)."""
    body = "".join(secrets.choice("0123456789") for _ in range(RANDOM_DIGITS))
    return body + damm_digit(body)


def normalise(text: str) -> str:
    """The code as typed or read (spaces, dashes, full-width digits) in its stored form."""
    digits = (unicodedata.decimal(char, None) for char in text)
    return "".join(str(digit) for digit in digits if digit is not None)


def is_valid(code: str) -> bool:
    """True when `code` has the right length and its check digit matches."""
    return bool(CODE_PATTERN.match(code)) and damm_digit(code) == "0"
