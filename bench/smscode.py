"""The sign-in code in an SMS, as the load client reads it from the server's spool file.

No imports beyond the standard library: the load client (gevent, no Django) uses it too.
"""

import re

# Six digits not part of a longer number (the message also says "10 minutes"; Chinese text has
# no word boundaries around digits).
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def code_for(phone: str, spool_text: str) -> str | None:
    """The newest code in `spool_text` (lines `phone<TAB>message`) sent to `phone`, or None."""
    found = None
    for line in spool_text.splitlines():
        number, _, message = line.partition("\t")
        match = CODE.search(message)
        if number == phone and match:
            found = match.group(1)
    return found
