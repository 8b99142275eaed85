"""Property-based fuzzing of the learner endpoints: malformed input → 4xx, never 500, no writes.

hypothesis generates the requests: raw bytes, arbitrary JSON, and batches that are nearly right
(real lesson ids and block ids mixed with wrong types, out-of-range numbers and odd strings),
which is where a missed check turns into a 500.
"""

import json
import uuid

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.codes import normalise_join_code
from learners.models import Enrollment, LessonProgress, ProgressEvent, QuizAttempt
from tests.campaigns.factories import CampaignFactory, CohortFactory, ProgramOfficeFactory
from tests.learners.factories import learner, lessons_of, make_course

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run: a CI failure can be replayed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROGRESS = "/api/progress/"


@pytest.fixture
def world():
    course = make_course(lessons=2, questions=2)
    user = learner(enrolled_in=course)
    client = Client()
    client.force_login(user)
    lessons = lessons_of(course)
    block_ids = [child.id for lesson in lessons for child in lesson.quiz]
    return {"client": client, "user": user, "lessons": lessons, "block_ids": block_ids}


def stored_counts():
    return (
        ProgressEvent.objects.count(),
        LessonProgress.objects.count(),
        QuizAttempt.objects.count(),
        Enrollment.objects.filter(completed_at__isnull=False).count(),
    )


def assert_json_refusal(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=15,
)
odd_ints = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31, 2**63, 2**63 - 1, 2**64]),
)
odd_strings = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "2026-13-45T25:61:00",
            "2026-02-30T10:00:00+08:00",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+14:00",
            "2026-11-29T10:00:00+99:00",
            "\x00",
            "'; DROP TABLE learners_progressevent; --",
            "=HYPERLINK(1)",
        ]
    ),
)
anything = st.one_of(json_values, odd_ints, odd_strings)


@FUZZ
@given(body=st.binary(max_size=300))
def test_any_bytes_are_refused_with_a_json_error(world, body):
    before = stored_counts()
    response = world["client"].post(PROGRESS, body, content_type="application/json")
    assert_json_refusal(response)
    assert stored_counts() == before


@FUZZ
@given(payload=json_values)
def test_any_json_document_is_refused_with_a_json_error(world, payload):
    before = stored_counts()
    response = world["client"].post(PROGRESS, json.dumps(payload), "application/json")
    assert_json_refusal(response)
    assert stored_counts() == before


def nearly_right_events(world):
    lesson_ids = [lesson.pk for lesson in world["lessons"]]
    now = timezone.now().isoformat()
    event = st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(st.uuids().map(str), anything),
            "lesson": st.one_of(st.sampled_from(lesson_ids), anything),
            "kind": st.one_of(st.sampled_from(["opened", "read", "quiz"]), anything),
            "at": st.one_of(st.just(now), odd_strings, anything),
            "data": anything,
        },
    )
    return st.lists(event, min_size=1, max_size=5)


@FUZZ
@given(data=st.data())
def test_nearly_right_batches_never_cause_a_server_error(world, data):
    events = data.draw(nearly_right_events(world))
    before = stored_counts()
    response = world["client"].post(PROGRESS, json.dumps({"events": events}), "application/json")
    if response.status_code == 200:
        return  # the fuzzer happened to build a valid batch
    assert_json_refusal(response)
    assert stored_counts() == before


ON_SQLITE = django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


@pytest.mark.parametrize(
    "field",
    [
        "id",
        "kind",
        "lesson",
        "at",
    ],
)
@FUZZ
@given(data=st.data())
def test_one_wrong_field_in_a_valid_event_is_refused_and_writes_nothing(world, field, data):
    lesson = data.draw(st.sampled_from(world["lessons"]))
    valid = {
        "id": str(uuid.uuid4()),
        "lesson": lesson.pk,
        "kind": "read",
        "at": timezone.now().isoformat(),
        "data": {},
    }
    wrong = data.draw(
        st.one_of(odd_strings, odd_ints, anything).filter(lambda value: value != valid[field])
    )
    event = {**valid, field: wrong}
    before = stored_counts()
    response = world["client"].post(PROGRESS, json.dumps({"events": [event]}), "application/json")
    if response.status_code == 200:
        return  # e.g. another valid time, or the id of the other lesson
    assert_json_refusal(response)
    assert stored_counts() == before


@FUZZ
@given(data=st.data())
def test_malformed_quiz_answers_are_refused_and_write_nothing(world, data):
    lesson = data.draw(st.sampled_from(world["lessons"]))
    block_ids = [child.id for child in lesson.quiz]
    answers = data.draw(
        st.one_of(
            anything,
            st.dictionaries(
                st.one_of(st.sampled_from(block_ids), st.text(max_size=40)),
                st.one_of(st.lists(odd_ints, max_size=4), anything),
                max_size=4,
            ),
        )
    )
    quiz_data = data.draw(st.one_of(st.just({"answers": answers}), anything))
    event = {
        "id": str(uuid.uuid4()),
        "lesson": lesson.pk,
        "kind": "quiz",
        "at": timezone.now().isoformat(),
        "data": quiz_data,
    }
    before = stored_counts()
    response = world["client"].post(PROGRESS, json.dumps({"events": [event]}), "application/json")
    if response.status_code == 200:
        return  # a well-formed answer (right or wrong) is a valid attempt
    assert_json_refusal(response)
    assert stored_counts() == before


# --- /join/<code>/ --------------------------------------------------------------------------------


@pytest.fixture
def campaign(world):
    from tests.campaigns.factories import add_region

    county = add_region("621102000000", "County A", add_region("620000000000", "Province"))
    village = add_region("621102100201", "Village A1", add_region("621102100000", "Town", county))
    campaign = CampaignFactory(office=ProgramOfficeFactory(region=county), region=county)
    CohortFactory(campaign=campaign, village=village)
    return campaign


join_codes = st.one_of(
    st.text(
        # NUL has its own test below (a PostgreSQL-only 500 for now).
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%\x00"),
        min_size=1,
        max_size=60,
    ),
    st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True),
)


def enrollment_rows():
    return Enrollment.objects.count(), Enrollment.objects.filter(cohort__isnull=False).count()


@FUZZ
@given(
    code=join_codes,
    post=st.booleans(),
    form=st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3),
)
def test_any_join_code_gets_a_clear_page_and_joins_nothing(world, campaign, code, post, form):
    from django.urls import reverse
    from django.urls.exceptions import NoReverseMatch

    real = {campaign.join_code, *campaign.cohorts.values_list("join_code", flat=True)}
    if normalise_join_code(code) in real:
        return  # a real code, however typed, opens the campaign (tested in tests/campaigns)
    try:
        url = reverse("campaigns_join", args=[code])
    except NoReverseMatch:
        return  # not expressible as a URL at all
    before = enrollment_rows()
    client = world["client"]
    response = client.post(url, form) if post else client.get(url)
    assert response.status_code in (301, 302, 404, 410), (code, response.status_code)
    if response.status_code in (404, 410):
        assert "text/html" in response["Content-Type"]
        assert response.content.strip()
    assert enrollment_rows() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_join_code_with_a_nul_byte_is_a_clear_404(world, campaign, method):
    before = enrollment_rows()
    response = getattr(world["client"], method)("/join/AB%00CD/")
    assert response.status_code == 404
    assert enrollment_rows() == before


# --- the quiz without JavaScript (a plain form) ---------------------------------------------------

ascii_text = st.text(alphabet=st.characters(max_codepoint=127), max_size=6)


@FUZZ
@given(data=st.data())
def test_any_quiz_form_gets_a_page_or_a_clear_error_and_bad_ones_write_nothing(world, data):
    lesson = data.draw(st.sampled_from(world["lessons"]))
    block_ids = [child.id for child in lesson.quiz]
    choices = st.one_of(ascii_text, st.sampled_from(["0", "1", "2", "99", "-1", "007"]))
    form = data.draw(
        st.dictionaries(
            st.one_of(st.sampled_from(block_ids), ascii_text),
            st.lists(choices, max_size=3),
            max_size=4,
        )
    )
    before = stored_counts()
    response = world["client"].post(f"/learn/lessons/{lesson.pk}/quiz/", form)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert response.content.strip()
        assert stored_counts() == before


@pytest.mark.parametrize("digit", ["²", "①"])
def test_a_quiz_form_with_a_non_ascii_digit_is_not_a_server_error(world, digit):
    lesson = world["lessons"][0]
    block_id = next(iter(lesson.quiz)).id
    before = stored_counts()
    response = world["client"].post(f"/learn/lessons/{lesson.pk}/quiz/", {block_id: [digit]})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert stored_counts() == before
