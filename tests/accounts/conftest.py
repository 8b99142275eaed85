"""Fixtures of the accounts tests: the console SMS outbox and reading codes from it."""

import re

import pytest

from learners.accounts import sms


@pytest.fixture(autouse=True)
def outbox(settings):
    """The console SMS backend's outbox, empty at the start of each test."""
    settings.SMS_BACKEND = "learners.accounts.sms.ConsoleBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def last_code(outbox, phone: str) -> str:
    """The 6-digit code in the last text message sent to `phone`."""
    for message in reversed(outbox):
        if message.phone == phone:
            match = re.search(r"\b(\d{6})\b", message.message)
            if match:
                return match.group(1)
    raise AssertionError(f"no code was sent to {phone}: {outbox}")
