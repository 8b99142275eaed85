"""Dashboard freshness: after each kind of change, the next scheduled refresh shows it.

Every change goes through the service an app screen or the progress API uses; the refresh is the
beat task itself (`campaigns.rollups_refresh`, every minute). Before the refresh the dashboard
still shows the old figure: the figures come from the rollups, never from the raw tables.
"""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.dashboard import (
    campaign_scope,
    kpis,
    lesson_funnel,
    missed_questions,
    region_breakdown,
    weekly_trend,
)
from campaigns.models import LearnerRollup
from campaigns.services.rollups import rollups_apply_changes, week_start
from campaigns.tasks import rollups_refresh
from courses.models import LessonPage
from courses.selectors import lesson_quiz_key
from learners.accounts.models import LearnerProfile
from learners.accounts.services import account_erase, profile_update
from learners.certificates.models import Certificate
from learners.certificates.services import certificate_issue, certificate_revoke
from learners.models import Enrollment, LearnerChange
from learners.services import enrollment_create, enrollments_create_many, progress_record

from .factories import CampaignFactory, CohortFactory, ProgramOfficeFactory, UserFactory
from .factories import make_course as _make_course
from .test_roster_preview import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tree, settings):
    # Certificates come only from the explicit issue below, not from the completion hook.
    settings.LEARNERS_ON_COURSE_COMPLETED = []
    course = _make_course("手机入门", lessons=2, questions=1)
    campaign = CampaignFactory(
        office=ProgramOfficeFactory(region=tree.a), region=tree.a, target_learners=8
    )
    campaign.courses.set([course])
    cohort = CohortFactory(campaign=campaign, village=tree.va2, name="一期")
    learners = {}
    for name, village in (("amy", tree.va1), ("bo", tree.va2)):
        user = UserFactory(username=name)
        LearnerProfile.objects.create(user=user, display_name=name, village_code=village.code)
        enrollment_create(learner=user, course=course, campaign=campaign, cohort=cohort)
        learners[name] = user
    refresh()  # first run: the campaign is built in full
    lessons = list(LessonPage.objects.child_of(course).live().order_by("path"))
    return {"campaign": campaign, "course": course, "lessons": lessons, "tree": tree, **learners}


def refresh():
    return rollups_refresh.apply().get()


def shown(setup):
    admin = UserFactory(username=f"root{uuid.uuid4().hex[:6]}", is_superuser=True)
    return campaign_scope(user=admin, campaign=setup["campaign"])


def events(lessons, at, kinds=("opened", "read", "quiz"), right=True):
    batch = []
    for lesson in lessons:
        key = lesson_quiz_key(lesson)
        for kind in kinds:
            data = {}
            if kind == "quiz":
                data = {"answers": {q: sorted(k.correct) if right else [2] for q, k in key.items()}}
            batch.append(
                {
                    "id": str(uuid.uuid4()),
                    "lesson": lesson.pk,
                    "kind": kind,
                    "at": at.isoformat(),
                    "data": data,
                }
            )
    return batch


def test_progress_shows_after_the_next_refresh(setup):
    scope = shown(setup)
    assert kpis(scope)["active_7d"] == 0
    progress_record(
        learner=setup["amy"], events=events(setup["lessons"][:1], timezone.now(), right=False)
    )
    assert lesson_funnel(scope) == []  # not before the refresh
    assert refresh()["learners"] == 1
    assert kpis(scope)["active_7d"] == 1
    funnel = {row["lesson_id"]: (row["started"], row["completed"]) for row in lesson_funnel(scope)}
    assert funnel == {setup["lessons"][0].pk: (1, 0)}
    assert [(r["answered"], r["missed"]) for r in missed_questions(scope)] == [(1, 1)]


def test_a_back_dated_offline_batch_shows_in_its_own_week(setup):
    scope = shown(setup)
    two_weeks_ago = timezone.now() - datetime.timedelta(days=14)
    progress_record(learner=setup["bo"], events=events(setup["lessons"][:1], two_weeks_ago))
    refresh()
    weeks = {row["week"]: row["active"] for row in weekly_trend(scope)}
    assert weeks[week_start(two_weeks_ago)] == 1
    # Two weeks old: the learner is not "active in the last 7 days".
    assert kpis(scope)["active_7d"] == 0


def test_an_enrollment_shows_after_the_next_refresh(setup):
    scope = shown(setup)
    newcomer = UserFactory(username="cai")
    LearnerProfile.objects.create(user=newcomer, village_code=setup["tree"].va2.code)
    enrollment_create(learner=newcomer, course=setup["course"], campaign=setup["campaign"])
    assert kpis(scope)["enrolled"] == 2
    refresh()
    assert kpis(scope)["enrolled"] == 3


def test_a_completion_shows_after_the_next_refresh(setup):
    scope = shown(setup)
    progress_record(learner=setup["amy"], events=events(setup["lessons"], timezone.now()))
    assert Enrollment.objects.get(learner=setup["amy"]).completed_at is not None
    assert kpis(scope)["completed"] == 0
    refresh()
    figures = kpis(scope)
    assert (figures["completed"], figures["target_percent"]) == (1, 13)  # 1 of 8: 12.5 % → 13 %


def test_certificate_issue_and_revoke_show_after_the_next_refresh(setup):
    scope = shown(setup)
    progress_record(learner=setup["amy"], events=events(setup["lessons"], timezone.now()))
    refresh()
    enrollment = Enrollment.objects.get(learner=setup["amy"])
    certificate = certificate_issue(enrollment_id=enrollment.pk)
    assert kpis(scope)["certificates"] == 0
    refresh()
    assert kpis(scope)["certificates"] == 1
    admin = UserFactory(username="registrar", is_superuser=True)
    certificate_revoke(certificate=certificate, by=admin, reason="姓名错误")
    assert kpis(scope)["certificates"] == 1
    refresh()
    assert kpis(scope)["certificates"] == 0
    assert Certificate.objects.filter(status="revoked").count() == 1


def test_a_learner_moving_village_shows_after_the_next_refresh(setup):
    tree = setup["tree"]
    scope = shown(setup)

    def villages():
        return {r.label: r.enrolled for r in region_breakdown(scope, tree.ta) if r.enrolled}

    assert villages() == {"Village A1": 1, "Village A2": 1}
    profile_update(user=setup["amy"], village_code=tree.va2.code)
    assert villages() == {"Village A1": 1, "Village A2": 1}
    refresh()
    assert villages() == {"Village A2": 2}


def test_an_account_deletion_without_certificates_shows_after_the_next_refresh(setup):
    tree = setup["tree"]
    scope = shown(setup)
    last_week = timezone.now() - datetime.timedelta(days=7)
    progress_record(learner=setup["amy"], events=events(setup["lessons"][:1], last_week))
    refresh()
    assert {r["week"]: r["active"] for r in weekly_trend(scope)}[week_start(last_week)] == 1
    assert not Certificate.objects.exists()
    account_erase(user=setup["amy"])
    refresh()
    # Her events are erased, and without a profile her village is her cohort's (Village A2).
    assert week_start(last_week) not in {r["week"] for r in weekly_trend(scope) if r["active"]}
    villages = {r.label: r.enrolled for r in region_breakdown(scope, tree.ta) if r.enrolled}
    assert villages == {"Village A2": 2}
    assert kpis(scope)["enrolled"] == 2  # enrollments stay, anonymised (decision 0041)


def test_a_roster_import_shows_after_the_next_refresh(setup, django_capture_on_commit_callbacks):
    from campaigns.services.roster import roster_confirm, roster_preview

    scope = shown(setup)
    rows = [["王五", "13812345670", setup["tree"].va1.code, "一期"]]
    rows += [[f"学员{n}", f"1391234{n:04d}", setup["tree"].va2.code, "一期"] for n in range(3)]
    roster = roster_preview(
        campaign=setup["campaign"], uploaded_by=None, content=csv_bytes(rows), filename="r.csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        roster_confirm(roster_import_id=roster.pk)
    refresh()
    assert kpis(scope)["enrolled"] == 6
    villages = {r.label: r.enrolled for r in region_breakdown(scope, setup["tree"].ta)}
    assert villages["Village A1"] == 2


def test_the_seven_day_window_slides_without_any_change(setup):
    scope = shown(setup)
    progress_record(learner=setup["bo"], events=events(setup["lessons"][:1], timezone.now()))
    refresh()
    assert kpis(scope)["active_7d"] == 1
    assert not LearnerChange.objects.exists()
    rollups_apply_changes(now=timezone.now() + datetime.timedelta(days=6))
    assert kpis(scope)["active_7d"] == 1
    rollups_apply_changes(now=timezone.now() + datetime.timedelta(days=8))
    assert kpis(scope)["active_7d"] == 0
    assert LearnerRollup.objects.filter(expires_at__isnull=False).count() == 0


def test_a_replayed_batch_marks_no_one(setup):
    batch = events(setup["lessons"][:1], timezone.now())
    progress_record(learner=setup["amy"], events=batch)
    LearnerChange.objects.all().delete()
    progress_record(learner=setup["amy"], events=batch)
    assert not LearnerChange.objects.exists()


def test_refresh_cost_grows_with_changed_learners_not_with_the_campaign(tree, settings):
    """Same number of queries whether the campaign has 3 or 60 learners and 30 or 600 events."""
    settings.LEARNERS_ON_COURSE_COMPLETED = []
    course = _make_course("网上销售", lessons=2, questions=1)
    lessons = list(LessonPage.objects.child_of(course).live().order_by("path"))
    counts = []
    for size in (3, 60):
        campaign = CampaignFactory(office=ProgramOfficeFactory(region=tree.a), region=tree.a)
        campaign.courses.set([course])
        users = [UserFactory(username=f"s{size}-{n}") for n in range(size)]
        LearnerProfile.objects.bulk_create(
            [LearnerProfile(user=u, village_code=tree.va1.code) for u in users]
        )
        enrollments_create_many(
            campaign=campaign, courses=[course], cohort_of={u.pk: None for u in users}
        )
        for user in users:
            progress_record(learner=user, events=events(lessons, timezone.now()))
        refresh()
        profile_update(user=users[0], village_code=tree.va2.code)
        with CaptureQueriesContext(connection) as queries:
            result = rollups_apply_changes()
        assert (result.learners, result.campaigns) == (1, 1)
        counts.append(len(queries))
        # Events are read for the changed learner only, never for the whole campaign.
        event_reads = [q["sql"] for q in queries if "learners_progressevent" in q["sql"]]
        assert event_reads and all("learner_id" in sql for sql in event_reads)
    assert counts[0] == counts[1]
