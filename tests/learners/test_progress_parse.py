"""The parse part of the progress write path, called directly: every malformed batch is refused
with a code and a reason naming the event, before anything touches the database."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from learners.services.progress import BATCH_EMPTY, BATCH_NOT_A_LIST, MAX_EVENTS, events_parse

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def good(**fields) -> dict:
    return {"id": str(uuid.uuid4()), "lesson": 7, "kind": "opened", "at": NOW.isoformat()} | fields


def refusal(raw) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        events_parse(raw, now=NOW)
    return caught.value


@pytest.mark.parametrize("raw", [None, {"events": []}, "[]", 3])
def test_a_batch_that_is_not_a_list_is_malformed(raw):
    error = refusal(raw)
    assert error.code == "malformed"
    assert error.messages == [str(BATCH_NOT_A_LIST)]


def test_an_empty_batch_is_refused():
    error = refusal([])
    assert (error.code, error.messages) == ("empty", [str(BATCH_EMPTY)])


def test_more_than_the_maximum_events_is_refused_naming_the_maximum():
    error = refusal([good() for _ in range(MAX_EVENTS + 1)])
    assert error.code == "too_many"
    assert str(MAX_EVENTS) in error.messages[0]


def test_exactly_the_maximum_events_is_accepted():
    assert len(events_parse([good() for _ in range(MAX_EVENTS)], now=NOW)) == MAX_EVENTS


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ("opened", "not an object"),
        ([1, 2], "not an object"),
        (good(id="not-a-uuid"), "id is not a UUID"),
        (good(id=None), "id is not a UUID"),
        (good(lesson="7"), "lesson is not a page id"),
        (good(lesson=True), "lesson is not a page id"),
        (good(lesson=7.0), "lesson is not a page id"),
        (good(lesson=0), "lesson is not a page id"),
        (good(lesson=2**31), "lesson is not a page id"),
        (good(kind="finished"), "unknown kind"),
        (good(kind=None), "unknown kind"),
        (good(at=None), "at is not an ISO 8601 time"),
        (good(at=1700000000), "at is not an ISO 8601 time"),
        (good(at="yesterday"), "at is not an ISO 8601 time"),
        (good(at="2026-02-30T10:00:00"), "at is not an ISO 8601 time"),
        (good(at="2019-12-31T23:59:59+00:00"), "at is before 2020"),
        (good(kind="quiz"), "quiz data needs an answers object"),
        (good(kind="quiz", data={"answers": [0]}), "quiz data needs an answers object"),
        (good(kind="quiz", data={"answers": {"q": 0}}), "answers must be lists"),
        (good(kind="quiz", data={"answers": {"q": [True]}}), "answers must be lists"),
        (good(kind="quiz", data={"answers": {"q": [-1]}}), "answers must be lists"),
        (good(kind="quiz", data={"answers": {"q": [100]}}), "answers must be lists"),
        (good(kind="quiz", data={"answers": {"q": ["0"]}}), "answers must be lists"),
    ],
)
def test_a_malformed_event_is_refused_with_its_index_and_the_problem(event, problem):
    error = refusal([good(), event])
    assert error.code == "malformed"
    assert error.params["index"] == 1
    assert problem in error.params["problem"]
    assert problem in error.messages[0]


def test_the_first_bad_event_is_the_one_named():
    error = refusal([good(), good(kind="x"), good(id="y")])
    assert (error.params["index"], error.params["problem"]) == (1, "unknown kind")


def test_a_time_more_than_a_day_ahead_is_refused_as_future():
    error = refusal([good(at=(NOW + timedelta(days=1, minutes=1)).isoformat())])
    assert (error.code, error.params["index"]) == ("future", 0)


def test_a_time_up_to_a_day_ahead_is_accepted():
    (event,) = events_parse([good(at=(NOW + timedelta(days=1)).isoformat())], now=NOW)
    assert event.at == NOW + timedelta(days=1)


def test_times_become_utc_and_a_time_without_offset_is_utc():
    first, second = events_parse(
        [good(at="2026-06-01T20:00:00+08:00"), good(at="2026-06-01T12:00:00")], now=NOW
    )
    assert first.at == second.at == NOW
    assert first.at.tzinfo == second.at.tzinfo == UTC


def test_a_parsed_event_is_typed_and_its_answers_sorted_without_repeats():
    sent = good(lesson=9, kind="quiz", data={"answers": {"q1": [2, 0, 2], "q2": []}})
    (event,) = events_parse([sent], now=NOW)
    assert event.id == uuid.UUID(sent["id"])
    assert (event.index, event.lesson_id, event.kind) == (0, 9, "quiz")
    assert event.answers == {"q1": [0, 2], "q2": []}


def test_data_on_an_event_that_is_not_a_quiz_is_ignored():
    (event,) = events_parse([good(kind="read", data={"answers": "anything"})], now=NOW)
    assert event.answers is None
