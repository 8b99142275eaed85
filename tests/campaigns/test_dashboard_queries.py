"""The dashboard reads the rollup tables only, in a number of queries that does not grow."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import (
    CourseRollup,
    LessonRollup,
    QuestionRollup,
    RegionRollup,
    WeeklyRollup,
)
from campaigns.services.rollups import rollup_rebuild
from courses.models import LessonPage
from courses.selectors import lesson_quiz_key
from learners.accounts.models import LearnerProfile
from learners.services import enrollment_create, progress_record

from .factories import (
    CampaignFactory,
    CohortFactory,
    ProgramOfficeFactory,
    UserFactory,
    make_course,
)

pytestmark = pytest.mark.django_db

# Tables of the learners room (and certificates): the dashboard must never read them.
RAW_TABLES = (
    "learners_enrollment",
    "learners_progressevent",
    "learners_lessonprogress",
    "certificates_certificate",
    "accounts_learnerprofile",
)


def add_learners(campaign, count, villages, cohorts, start=0):
    """Learners enrolled in every course; some read the first lesson and miss a question."""
    for n in range(start, start + count):
        user = UserFactory(username=f"q{n}")
        LearnerProfile.objects.create(
            user=user, display_name=f"学员{n}", village_code=villages[n % len(villages)].code
        )
        for course in campaign.courses.specific():
            enrollment_create(
                learner=user, course=course, campaign=campaign, cohort=cohorts[n % len(cohorts)]
            )
            lesson = LessonPage.objects.child_of(course).live().order_by("path").first()
            key = lesson_quiz_key(lesson)
            wrong = {
                qid: [next(c for c in range(3) if c not in q.correct)] for qid, q in key.items()
            }
            now = timezone.now().isoformat()
            progress_record(
                learner=user,
                events=[
                    {"id": str(uuid.uuid4()), "lesson": lesson.pk, "kind": "read", "at": now},
                    {
                        "id": str(uuid.uuid4()),
                        "lesson": lesson.pk,
                        "kind": "quiz",
                        "at": now,
                        "data": {"answers": wrong},
                    },
                ],
            )


def dashboard_queries(client, campaign, region=None) -> list[str]:
    url = reverse("campaigns:dashboard", args=[campaign.pk])
    params = {"region": region.code} if region else {}
    client.get(url, params)  # warm the per-process caches (site, settings, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("drill", ["root", "township"])
def test_dashboard_query_count_does_not_grow_and_reads_only_rollups(client, tree, drill):
    office = ProgramOfficeFactory(region=tree.a)
    campaign = CampaignFactory(office=office, region=tree.a)
    campaign.courses.set([make_course("手机入门", lessons=2)])
    first = CohortFactory(campaign=campaign, village=tree.va1, trainer=UserFactory(username="t0"))
    add_learners(campaign, 2, [tree.va1], [first])
    rollup_rebuild(campaign_id=campaign.pk)
    client.force_login(UserFactory(username="root", is_superuser=True))
    region = tree.ta if drill == "township" else None
    small = dashboard_queries(client, campaign, region)

    campaign.courses.add(make_course("网上销售", lessons=3), make_course("网络安全", lessons=1))
    cohorts = [first] + [
        CohortFactory(campaign=campaign, village=village, trainer=UserFactory(username=f"t{n}"))
        for n, village in enumerate([tree.va1, tree.va2, tree.va2], start=1)
    ]
    add_learners(campaign, 24, [tree.va1, tree.va2, tree.ta], cohorts, start=2)
    rollup_rebuild(campaign_id=campaign.pk)
    # Every table of the screen has rows to show: courses, cohorts, weeks, funnel, questions.
    for model in (CourseRollup, RegionRollup, WeeklyRollup, LessonRollup, QuestionRollup):
        assert model.objects.filter(campaign=campaign).count() > 1, model
    large = dashboard_queries(client, campaign, region)

    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 25, len(small)  # 20 at the root, 21 drilled down, on both databases
    read_raw = [sql for sql in large if any(f'"{table}"' in sql for table in RAW_TABLES)]
    assert read_raw == []
