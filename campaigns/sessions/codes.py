"""The rotating 4-digit check-in code: HMAC of the session's secret and the minute (like TOTP).

Nothing is written per minute: the trainer's phone and the server derive the same code from the
session's secret and the clock. A code is accepted in its own minute and the one after it, so a
learner who reads it at 19:00:59 and taps at 19:01:03 is not refused (decision 0100).
"""

import datetime
import hashlib
import hmac

STEP_SECONDS = 60
DIGITS = 4


def _minute(at: datetime.datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_for_minute(*, secret: str, minute: int) -> str:
    """The code of one minute (RFC 4226 dynamic truncation, 4 digits)."""
    digest = hmac.new(secret.encode(), minute.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def current_code(*, secret: str, at: datetime.datetime) -> str:
    """The code the trainer's screen shows at `at`."""
    return code_for_minute(secret=secret, minute=_minute(at))


def code_is_valid(*, secret: str, code: str, at: datetime.datetime) -> bool:
    """Whether `code` is this minute's or the previous minute's code (constant-time compare)."""
    code = (code or "").strip()
    if len(code) != DIGITS or not code.isdigit():
        return False
    now = _minute(at)
    return any(
        hmac.compare_digest(code_for_minute(secret=secret, minute=m), code) for m in (now, now - 1)
    )


def seconds_left(*, at: datetime.datetime) -> int:
    """Seconds until the code changes."""
    return STEP_SECONDS - int(at.timestamp()) % STEP_SECONDS
