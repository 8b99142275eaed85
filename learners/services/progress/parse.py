"""Parse: a batch of client events (decoded JSON) into typed events, or the reason it is refused.

No database here. Every refusal is a `ValidationError` whose message is one of the constants below
and whose code the API returns with a 400 (`malformed`, `empty`, `too_many`, `future`); a refused
event is named by its index in the batch, so the phone can drop it from its queue. Whether the
lessons exist and the learner is enrolled needs the database: `read.batch_read` checks that.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ...models import ProgressEvent

MAX_EVENTS = 100
# Page ids are 32-bit integers; a larger number cannot name a lesson (and overflows SQLite).
MAX_PAGE_ID = 2**31 - 1
# Choice indexes are small: a question has a handful of choices.
MAX_CHOICE = 100
FUTURE_TOLERANCE = timedelta(days=1)
# No learner used this before 2020: an earlier time is a broken phone clock or a forged event.
EARLIEST_EVENT = datetime(2020, 1, 1, tzinfo=UTC)

BATCH_NOT_A_LIST = _("The request must be a JSON object with a list of events.")
BATCH_EMPTY = _("The batch has no events.")
BATCH_TOO_LARGE = _("A batch holds at most %(max)s events.")
EVENT_MALFORMED = _("Event %(index)s is malformed: %(problem)s.")
EVENT_IN_FUTURE = _("Event %(index)s is dated more than a day in the future.")


@dataclass(frozen=True)
class ParsedEvent:
    """One validated client event; `index` is its place in the batch as sent."""

    index: int
    id: uuid.UUID
    lesson_id: int
    kind: str
    at: datetime
    answers: dict[str, list[int]] | None


def malformed(index: int, problem: str) -> ValidationError:
    """The refusal of event `index`, saying what is wrong with it (`EVENT_MALFORMED`)."""
    return ValidationError(
        EVENT_MALFORMED, code="malformed", params={"index": index, "problem": problem}
    )


def events_parse(raw, *, now: datetime) -> list[ParsedEvent]:
    """Validate the shape of a batch without touching the database; the first problem wins."""
    if not isinstance(raw, list):
        raise ValidationError(BATCH_NOT_A_LIST, code="malformed")
    if not raw:
        raise ValidationError(BATCH_EMPTY, code="empty")
    if len(raw) > MAX_EVENTS:
        raise ValidationError(BATCH_TOO_LARGE, code="too_many", params={"max": MAX_EVENTS})
    return [event_parse(index, item, now=now) for index, item in enumerate(raw)]


def event_parse(index: int, item, *, now: datetime) -> ParsedEvent:
    """One event of the batch, checked field by field in a fixed order."""
    if not isinstance(item, dict):
        raise malformed(index, "not an object")
    event_id = _event_id(index, item.get("id"))
    lesson_id = _lesson_id(index, item.get("lesson"))
    kind = item.get("kind")
    if kind not in ProgressEvent.Kind.values:
        raise malformed(index, "unknown kind")
    at = _event_time(index, item.get("at"), now=now)
    answers = _answers(index, item.get("data")) if kind == ProgressEvent.Kind.QUIZ else None
    return ParsedEvent(index, event_id, lesson_id, kind, at, answers)


def _event_id(index: int, value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise malformed(index, "id is not a UUID") from None


def _is_int(value) -> bool:
    """A JSON integer (Python's `True` is an int too, but not a number anyone sent)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _lesson_id(index: int, value) -> int:
    if not _is_int(value) or not 0 < value <= MAX_PAGE_ID:
        raise malformed(index, "lesson is not a page id")
    return value


def _utc_time(value) -> datetime | None:
    """An ISO 8601 text as an aware UTC time (naive means UTC); None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        at = parse_datetime(value)
        if at is None:
            return None
        return at.replace(tzinfo=UTC) if timezone.is_naive(at) else at.astimezone(UTC)
    except (ValueError, OverflowError):  # well formed but impossible: 30 February, year 0
        return None


def _event_time(index: int, value, *, now: datetime) -> datetime:
    at = _utc_time(value)
    if at is None:
        raise malformed(index, "at is not an ISO 8601 time")
    if at < EARLIEST_EVENT:
        raise malformed(index, "at is before 2020")
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError(EVENT_IN_FUTURE, code="future", params={"index": index})
    return at


def _answers(index: int, data) -> dict[str, list[int]]:
    """A quiz event's answers: chosen indexes by question block id, sorted, without repeats."""
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise malformed(index, "quiz data needs an answers object")
    answers = {}
    for block_id, choices in data["answers"].items():
        if not isinstance(choices, list) or not all(
            _is_int(c) and 0 <= c < MAX_CHOICE for c in choices
        ):
            raise malformed(index, "answers must be lists of choice indexes")
        answers[str(block_id)] = sorted(set(choices))
    return answers
