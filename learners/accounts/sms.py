"""Sending text messages through one small interface; the backend is chosen by `SMS_BACKEND`.

The embedded default logs messages (and keeps them in `outbox` for tests); production points
`SMS_BACKEND` at `HttpGatewayBackend` with `SMS_GATEWAY_URL` and `SMS_GATEWAY_TOKEN`.
"""

import logging
from dataclasses import dataclass

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

    def send(self, phone: str, message: str) -> None:
        outbox.append(Sms(phone=phone, message=message))
        logger.info("SMS to %s: %s", phone, message)


class HttpGatewayBackend:
    """POST `{"phone", "message"}` as JSON to `SMS_GATEWAY_URL` with a bearer token."""

    def send(self, phone: str, message: str) -> None:
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


def send_sms(phone: str, message: str) -> None:
    """Send one text message to an E.164 phone number through the configured backend."""
    get_backend().send(phone, message)
