"""Sending text messages through one small interface; the backend is chosen by `SMS_BACKEND`.

The embedded default logs messages (and keeps them in `outbox` for tests); production points
`SMS_BACKEND` at `HttpGatewayBackend` with `SMS_GATEWAY_URL` and `SMS_GATEWAY_TOKEN`.
`FileBackend` appends each message to the file named by the `SMS_FILE_PATH` environment variable
(default `var/sms.jsonl`; one JSON line each), for other processes
(Celery workers) to be read by tests and developers.

A caller may pass a `key` naming the message (a reminder's id). A backend whose `deduplicates`
is true sends a key at most once, however often it is called with it; the reminders retry a
send whose outcome a dead worker left unknown only through such a backend (decision 0126).
"""

import fcntl
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("learners.sms")


class SmsError(Exception):
    """The gateway refused or did not answer; the caller decides whether to retry."""


@dataclass(frozen=True)
class Sms:
    phone: str
    message: str


# Messages the console backend has "sent" in this process (read by tests and browser tests).
outbox: list[Sms] = []


class ConsoleBackend:
    """Write each message to the log (logger `learners.sms`) and keep it in `outbox`."""

    deduplicates = False

    def send(self, phone: str, message: str, key: str = "") -> None:
        outbox.append(Sms(phone=phone, message=message))
        logger.info("SMS to %s: %s", phone, message)


class FileBackend:
    """Append `{"key", "phone", "message"}` as one JSON line to `SMS_FILE_PATH`; a key already
    in the file is not written again (the file is locked while it is read and appended to)."""

    deduplicates = True

    def send(self, phone: str, message: str, key: str = "") -> None:
        path = sms_file_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"key": key, "phone": phone, "message": message}, ensure_ascii=False)
        with path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                if key:
                    handle.seek(0)
                    if any(json.loads(sent).get("key") == key for sent in handle if sent.strip()):
                        return
                handle.write(line + "\n")
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def sms_file_path() -> Path:
    """Where `FileBackend` writes: $SMS_FILE_PATH, else sms.jsonl in the var folder."""
    return Path(os.environ.get("SMS_FILE_PATH") or Path(settings.VAR_DIR) / "sms.jsonl")


def file_messages(path: str | Path) -> list[dict]:
    """The messages a `FileBackend` wrote to `path`, oldest first."""
    path = Path(path)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


class HttpGatewayBackend:
    """POST `{"phone", "message"}` as JSON to `SMS_GATEWAY_URL` with a bearer token."""

    # The gateway interface has no idempotency key yet: a repeated call may send twice.
    deduplicates = False

    def send(self, phone: str, message: str, key: str = "") -> None:
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise SmsError("SMS_GATEWAY_URL is not set")
        try:
            response = requests.post(
                url,
                json={"phone": phone, "message": message},
                headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
                timeout=settings.SMS_GATEWAY_TIMEOUT,
            )
            response.raise_for_status()
        except requests.RequestException as exc:
            # Log the number's tail only: the log is not a place for personal data.
            logger.error("SMS gateway failed for …%s: %s", phone[-4:], exc)
            raise SmsError(str(exc)) from exc


def get_backend():
    """An instance of the configured backend class."""
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, message: str, *, key: str = "") -> None:
    """Send one text message to an E.164 phone number through the configured backend."""
    get_backend().send(phone, message, key=key)


def sms_deduplicates() -> bool:
    """Whether the configured backend sends a keyed message at most once, however often asked."""
    return bool(getattr(import_string(settings.SMS_BACKEND), "deduplicates", False))
