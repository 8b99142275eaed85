"""Attendance figures equal an independent count from the raw tables, at every drill level and
for every breakdown, in each user's part of the campaign; nothing from outside it appears."""

import datetime
import uuid
from collections import defaultdict

import pytest
from django.utils import timezone

from campaigns.models import Attendance, TrainingSession
from campaigns.services import campaign_enroll
from campaigns.sessions.selectors import attendance_figures, sessions_visible
from campaigns.sessions.services import attendance_tick, session_schedule
from core.models import Region
from learners.models import Enrollment
from tests.learners.factories import learner

from .factories import CohortFactory, UserFactory
from .sessions_fixtures import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(world):
    """Sessions over three weeks in three villages, by three trainers; some attendees finish a
    course online after their session, one finished before it (does not count as 'later')."""
    tree = world.tree
    trainer_c = UserFactory(role="Trainers")
    cohort_c = CohortFactory(campaign=world.campaign, trainer=trainer_c, village=tree.va2)
    learners_c = [learner() for _ in range(4)]
    for person in learners_c:
        campaign_enroll(learner=person, campaign=world.campaign, cohort=cohort_c)
    now = timezone.now()
    plan = [
        (world.cohort_a, world.trainer_a, 20, world.learners_a),
        (world.cohort_a, world.trainer_a, 13, world.learners_a[:2]),
        (world.cohort_b, world.trainer_b, 13, world.learners_b),
        (cohort_c, trainer_c, 6, learners_c[:3]),
        (cohort_c, trainer_c, 1, learners_c),
        (world.cohort_b, world.trainer_b, -3, []),  # scheduled, not held yet
    ]
    for cohort, trainer, days_ago, present in plan:
        session = session_schedule(
            user=trainer,
            cohort=cohort,
            starts_at=now - datetime.timedelta(days=days_ago),
            planned_minutes=60,
        )
        for person in present:
            attendance_tick(
                recorder=trainer,
                session=session,
                learner=person,
                attendance_id=uuid.uuid4(),
                at=session.starts_at + datetime.timedelta(minutes=5),
            )
    # Completions: two attendees after their sessions, one before any session.
    Enrollment.objects.filter(learner=world.learners_a[0]).update(
        completed_at=now - datetime.timedelta(days=2)
    )
    Enrollment.objects.filter(learner=learners_c[0]).update(completed_at=now)
    Enrollment.objects.filter(learner=world.learners_b[0]).update(
        completed_at=now - datetime.timedelta(days=30)
    )
    return world


def _independent(campaign, *, paths=None, region_path="", by=None, depth=0):
    """Count from the raw rows in Python: sessions, person-times, attendees, later completions."""
    now = timezone.now()
    sessions = [
        s
        for s in TrainingSession.objects.filter(cohort__campaign=campaign).select_related("village")
        if s.village.path.startswith(region_path)
        and (paths is None or any(s.village.path.startswith(p) for p in paths))
    ]

    def key(session):
        if by == "region":
            return session.village.path[:depth]
        if by == "cohort":
            return session.cohort_id
        if by == "trainer":
            return session.trainer_id
        if by == "week":
            day = timezone.localtime(session.starts_at).date()
            return day - datetime.timedelta(days=day.weekday())
        return None

    completions = defaultdict(list)
    for e in Enrollment.objects.filter(campaign=campaign, completed_at__isnull=False):
        completions[e.learner_id].append(e.completed_at)
    out = defaultdict(lambda: {"sessions": 0, "pt": 0, "people": set(), "later": set()})
    by_id = {s.pk: s for s in sessions}
    for s in sessions:
        out[key(s)]["sessions"] += s.starts_at <= now
    for a in Attendance.objects.filter(session_id__in=by_id):
        row = out[key(by_id[a.session_id])]
        row["pt"] += 1
        row["people"].add(a.learner_id)
        if any(done > a.checked_in_at for done in completions[a.learner_id]):
            row["later"].add(a.learner_id)
    return {
        k: (v["sessions"], v["pt"], len(v["people"]), len(v["later"]))
        for k, v in out.items()
        if v["sessions"] or v["pt"]
    }


def _as_dict(rows, by):
    def norm(k):
        if by == "week":
            return timezone.localtime(k).date()
        return k

    return {
        norm(r.key): (r.sessions, r.person_times, r.attendees, r.completed_later)
        for r in rows
        if r.sessions or r.person_times
    }


@pytest.mark.parametrize("who", ["officer_f", "officer_b", "trainer_a"])
def test_figures_equal_an_independent_count_at_every_level(busy, who):
    user = getattr(busy, who)
    campaign = busy.campaign
    paths = {
        "officer_f": None,
        "officer_b": [busy.tree.b.path],
        "trainer_a": [busy.tree.va1.path],  # the trainer's only cohort is in village A1
    }[who]
    totals = attendance_figures(user=user, campaign=campaign)
    expected_total = _independent(campaign, paths=paths)
    assert _as_dict(totals, None) == expected_total
    for region in Region.objects.filter(path__startswith=busy.tree.f.path).exclude(
        level=Region.Level.VILLAGE
    ):
        for by in ("region", "cohort", "trainer", "week"):
            rows = attendance_figures(user=user, campaign=campaign, by=by, region=region)
            expected = _independent(
                campaign,
                paths=paths,
                region_path=region.path,
                by=by,
                depth=len(region.path) + Region.steplen,
            )
            assert _as_dict(rows, by) == expected, (who, region.name, by)


def test_figures_show_what_happened(busy):
    (total,) = attendance_figures(user=busy.officer_f, campaign=busy.campaign)
    # 3 + 2 + 2 + 3 + 4 ticks; 7 sessions held of 8 (two open now, one next week); 3 + 2 + 4
    # people; learners_a[0] and learners_c[0] finished after attending, learners_b[0] before.
    assert (total.sessions, total.person_times, total.attendees, total.completed_later) == (
        7,
        14,
        9,
        2,
    )


def test_an_officer_sees_only_sessions_in_their_subtree(busy):
    visible = set(sessions_visible(user=busy.officer_b).values_list("cohort_id", flat=True))
    assert visible == {busy.cohort_b.pk}
    rows = attendance_figures(user=busy.officer_b, campaign=busy.campaign, by="cohort")
    assert {r.key for r in rows} == {busy.cohort_b.pk}


def test_session_list_and_detail_show_no_other_region(client, busy):
    client.force_login(busy.officer_b)
    listing = client.get("/admin/training-sessions/").content.decode()
    assert busy.cohort_b.name in listing
    assert busy.cohort_a.name not in listing
    response = client.get(f"/admin/training-sessions/{busy.session_a.pk}/")
    assert response.status_code == 404
    sync = client.post(
        f"/admin/training-sessions/{busy.session_a.pk}/attendance.json",
        data={"ticks": []},
        content_type="application/json",
    )
    assert sync.status_code == 404
