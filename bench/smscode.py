"""The sign-in code in an SMS, as the load clients read it from the server's spool file.

No imports beyond the standard library: the load clients (gevent or asyncio, no Django) use it too.
"""

import re

# Six digits not part of a longer number (the message also says "10 minutes"; Chinese text has
# no word boundaries around digits).
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def codes_in(spool_text: str) -> list[tuple[str, str]]:
    """(phone, code) of every message in `spool_text` (lines `phone<TAB>message`), in order."""
    found = []
    for line in spool_text.splitlines():
        number, _, message = line.partition("\t")
        match = CODE.search(message)
        if match:
            found.append((number, match.group(1)))
    return found


def code_for(phone: str, spool_text: str) -> str | None:
    """The newest code in `spool_text` sent to `phone`, or None."""
    found = None
    for number, code in codes_in(spool_text):
        if number == phone:
            found = code
    return found
