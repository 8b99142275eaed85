"""An SMS backend for the load run: the console backend's behaviour, plus a spool file.

The load run's simulated learners sign in with phone + SMS code like real ones; the server runs
with `SMS_BACKEND=bench.sms.SpoolBackend`, which logs each message as the console backend does
and appends `phone<TAB>message` to `BENCH_SMS_SPOOL`, where the load client reads its code (a
real learner reads it on their phone). Nothing else changes in the sign-in path.
"""

import fcntl
import os

from learners.accounts.sms import ConsoleBackend


class SpoolBackend(ConsoleBackend):
    """Console backend that also appends each message to the file `BENCH_SMS_SPOOL`."""

    def send(self, phone: str, message: str, key: str = "") -> None:
        super().send(phone, message, key=key)
        line = f"{phone}\t{' '.join(message.split())}\n".encode()
        with open(os.environ["BENCH_SMS_SPOOL"], "ab") as spool:
            fcntl.flock(spool, fcntl.LOCK_EX)
            spool.write(line)
            fcntl.flock(spool, fcntl.LOCK_UN)
