"""On a randomised dataset, every dashboard figure equals the same figure computed from raw rows.

The expected values are computed here with plain Python loops over the raw tables (enrollments,
profiles, lesson progress, events, certificates), independently of the rollup service's queries.
"""

import datetime
import functools
import random
import uuid
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.dashboard import (
    campaign_scope,
    cohort_breakdown,
    course_breakdown,
    kpis,
    lesson_funnel,
    missed_questions,
    office_scope,
    region_breakdown,
    weekly_trend,
)
from campaigns.services.rollups import rollup_rebuild, week_start
from core.models import Cohort, Region
from courses.models import LessonPage
from courses.selectors import lesson_quiz_key
from learners.accounts.models import LearnerProfile
from learners.certificates.models import Certificate
from learners.models import Enrollment, LessonProgress, ProgressEvent

from .factories import (
    CampaignFactory,
    CohortFactory,
    ProgramOfficeFactory,
    UserFactory,
    make_course,
)

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def random_moment(rng, days_back=70):
    return NOW - datetime.timedelta(days=rng.uniform(0, days_back))


@pytest.fixture
def dataset(tree):
    """Three campaigns in two offices, 60 learners with random enrollments, progress, events."""
    rng = random.Random(20261129)
    courses = [make_course(f"课程{n}", lessons=3, questions=2) for n in range(3)]
    lessons = {c.pk: list(LessonPage.objects.child_of(c).live().order_by("path")) for c in courses}
    office_f = ProgramOfficeFactory(region=tree.f)
    office_a = ProgramOfficeFactory(region=tree.a)
    camp1 = CampaignFactory(office=office_f, region=tree.f, target_learners=40)
    camp1.courses.set(courses[:2])
    camp2 = CampaignFactory(office=office_a, region=tree.a, target_learners=10)
    camp2.courses.set(courses[1:])
    camp3 = CampaignFactory(office=office_f, region=tree.b, target_learners=0)
    camp3.courses.set([courses[0]])
    # A province campaign, followed by the offices below it (prefecture, county, township).
    office_p = ProgramOfficeFactory(region=tree.p)
    camp4 = CampaignFactory(office=office_p, region=tree.p, target_learners=30)
    camp4.courses.set(courses)
    trainer = UserFactory(username="t1")
    cohorts = {
        camp1.pk: [
            CohortFactory(campaign=camp1, village=tree.va1, trainer=trainer),
            CohortFactory(campaign=camp1, village=tree.vb1),
        ],
        camp2.pk: [CohortFactory(campaign=camp2, village=tree.va2, trainer=trainer)],
        camp3.pk: [],
        camp4.pk: [
            CohortFactory(campaign=camp4, village=tree.va1),
            CohortFactory(campaign=camp4, village=tree.vb1, trainer=trainer),
        ],
    }
    villages = [tree.va1.code, tree.va2.code, tree.vb1.code, tree.ta.code, "", "999999999999"]
    for n in range(40):
        user = UserFactory(username=f"learner{n}")
        LearnerProfile.objects.create(
            user=user, display_name=f"学员{n}", village_code=rng.choice(villages)
        )
        for campaign in (camp1, camp2, camp3, camp4):
            if rng.random() < 0.45:
                continue
            cohort = rng.choice([*cohorts[campaign.pk], None])
            for course in campaign.courses.specific():
                if rng.random() < 0.2:
                    continue
                # Now and then an enrollment carries another cohort (the lowest id counts).
                this_cohort = cohort
                if cohorts[campaign.pk] and rng.random() < 0.1:
                    this_cohort = rng.choice(cohorts[campaign.pk])
                enrolled_at = random_moment(rng)
                last = None if rng.random() < 0.2 else random_moment(rng, 12)
                done = None
                if last and rng.random() < 0.5:
                    done = max(enrolled_at, last)
                enrollment = Enrollment.objects.create(
                    learner=user,
                    course=course,
                    campaign=campaign,
                    cohort=this_cohort,
                    last_activity_at=last,
                    completed_at=done,
                )
                Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=enrolled_at)
                if done and rng.random() < 0.6:
                    revoked = rng.random() < 0.2
                    Certificate.objects.create(
                        enrollment=enrollment,
                        learner=user,
                        course=course,
                        campaign=campaign,
                        learner_name="x",
                        course_title=course.title,
                        issuer_name="o",
                        hours=Decimal("1.0"),
                        completed_on=done.date(),
                        recipient_salt="s",
                        status="revoked" if revoked else "issued",
                        revoked_at=NOW if revoked else None,
                    )
        keys = {}
        for course in courses:
            for lesson in lessons[course.pk]:
                if rng.random() < 0.5:
                    LessonProgress.objects.get_or_create(
                        learner=user,
                        lesson=lesson,
                        course=course,
                        defaults={"status": rng.choice(["opened", "read", "completed"])},
                    )
                for _ in range(rng.randint(0, 2)):
                    key = keys.setdefault(lesson.pk, lesson_quiz_key(lesson))
                    quiz = rng.random() < 0.5
                    ProgressEvent.objects.create(
                        id=uuid.uuid4(),
                        learner=user,
                        lesson=lesson,
                        kind="quiz" if quiz else rng.choice(["opened", "read"]),
                        occurred_at=random_moment(rng),
                        data={"answers": {q: [rng.randint(0, 2)] for q in key}} if quiz else {},
                    )
    # A learner of another campaign's region with no enrollment must not count anywhere.
    LearnerProfile.objects.create(user=UserFactory(username="outsider"), village_code=tree.va1.code)
    for campaign in (camp1, camp2, camp3, camp4):
        rollup_rebuild(campaign_id=campaign.pk, as_of=NOW)
    return {
        "campaigns": [camp1, camp2, camp3, camp4],
        "offices": [office_f, office_a, office_p],
        "tree": tree,
    }


# --- the independent computation ------------------------------------------------------------


class Expected:
    """Figures of a set of campaigns (optionally some cohorts, or only the learners whose region
    lies in some subtrees), from raw rows in Python."""

    def __init__(self, campaign_ids, cohort_ids=None, subtrees=None):
        enrollments = [e for e in Enrollment.objects.all() if e.campaign_id in campaign_ids]
        profiles = {p.user_id: p for p in LearnerProfile.objects.all()}
        regions = {r.code: r for r in Region.objects.all()}
        by_key = defaultdict(list)
        for e in enrollments:
            by_key[(e.campaign_id, e.learner_id)].append(e)
        self.learners = []
        for (campaign_id, learner_id), rows in by_key.items():
            cohorts = sorted(e.cohort_id for e in rows if e.cohort_id)
            cohort_id = cohorts[0] if cohorts else None
            if cohort_ids is not None and cohort_id not in cohort_ids:
                continue
            profile = profiles.get(learner_id)  # gone after an account deletion
            region = regions.get(profile.village_code) if profile else None
            if region is None and cohort_id:
                region = Cohort.objects.get(pk=cohort_id).village
            if subtrees is not None and not (
                region and any(region.path.startswith(p) for p in subtrees)
            ):
                continue
            lasts = [e.last_activity_at for e in rows if e.last_activity_at]
            done = all(e.completed_at for e in rows)
            certs = Certificate.objects.filter(
                campaign_id=campaign_id, learner_id=learner_id, status="issued"
            ).count()
            self.learners.append(
                {
                    "campaign": campaign_id,
                    "learner": learner_id,
                    "cohort": cohort_id,
                    "region": region,
                    "active": bool(lasts) and max(lasts) >= NOW - datetime.timedelta(days=7),
                    "completed": done,
                    "done_at": max(e.completed_at for e in rows) if done else None,
                    "joined": min(e.enrolled_at for e in rows),
                    "certificates": certs,
                }
            )
        self.members = {(r["campaign"], r["learner"]) for r in self.learners}
        self.enrollments = [e for e in enrollments if (e.campaign_id, e.learner_id) in self.members]

    def cohort_of(self, campaign_id, learner_id, default=None):
        for row in self.learners:
            if (row["campaign"], row["learner"]) == (campaign_id, learner_id):
                return row["cohort"]
        return default

    def counts(self, rows):
        return {
            "enrolled": len(rows),
            "active_7d": sum(r["active"] for r in rows),
            "completed": sum(r["completed"] for r in rows),
            "certificates": sum(r["certificates"] for r in rows),
        }


def figures(f):
    return {
        "enrolled": f.enrolled,
        "active_7d": f.active_7d,
        "completed": f.completed,
        "certificates": f.certificates,
    }


def check_regions(scope, expected, parent, root):
    shown = {f.region.pk if f.region else None: f for f in region_breakdown(scope, parent)}
    for child in parent.get_children():
        inside = [
            r for r in expected.learners if r["region"] and r["region"].path.startswith(child.path)
        ]
        got = figures(shown[child.pk]) if child.pk in shown else expected.counts([])
        assert got == expected.counts(inside), (parent.name, child.name)
        if inside and child.level != "village":
            check_regions(scope, expected, child, root)
    direct = [r for r in expected.learners if r["region"] and r["region"].pk == parent.pk]
    if direct:
        assert figures(shown[parent.pk]) == expected.counts(direct)
    if parent.pk == root.pk:
        outside = [
            r
            for r in expected.learners
            if r["region"] is None or not r["region"].path.startswith(root.path)
        ]
        if outside:
            assert figures(shown[None]) == expected.counts(outside)


def check_scope(scope, campaign_ids, cohort_ids=None, subtrees=None):
    expected = Expected(set(campaign_ids), cohort_ids, subtrees)
    got = kpis(scope)
    assert {k: got[k] for k in ("enrolled", "active_7d", "completed", "certificates")} == (
        expected.counts(expected.learners)
    )
    check_regions(scope, expected, scope.root, scope.root)

    by_course = defaultdict(list)
    for e in expected.enrollments:
        by_course[e.course.title].append(e)
    certs = defaultdict(int)
    for c in Certificate.objects.filter(campaign_id__in=campaign_ids, status="issued"):
        if (c.campaign_id, c.learner_id) in expected.members:
            certs[c.course.title] += 1
    assert {f.label: figures(f) for f in course_breakdown(scope)} == {
        title: {
            "enrolled": len(rows),
            "active_7d": sum(
                bool(e.last_activity_at and e.last_activity_at >= NOW - datetime.timedelta(days=7))
                for e in rows
            ),
            "completed": sum(bool(e.completed_at) for e in rows),
            "certificates": certs[title],
        }
        for title, rows in by_course.items()
    }

    shown_cohorts = {f.label: figures(f) for f in cohort_breakdown(scope)}
    for cohort_id in {r["cohort"] for r in expected.learners}:
        rows = [r for r in expected.learners if r["cohort"] == cohort_id]
        label = "No cohort" if cohort_id is None else CohortName.of(cohort_id)
        if subtrees is not None and cohort_id is not None:
            village = Cohort.objects.get(pk=cohort_id).village.path
            if not any(village.startswith(p) for p in subtrees):
                # An office lists only its own cohorts; their learners in its area still count
                # in every other figure.
                assert label not in shown_cohorts
                continue
        assert shown_cohorts[label] == expected.counts(rows)

    weeks = defaultdict(lambda: {"joined": 0, "active": 0, "completed": 0})
    learner_cohort = {}
    for r in expected.learners:
        weeks[week_start(r["joined"])]["joined"] += 1
        if r["completed"]:
            weeks[week_start(r["done_at"])]["completed"] += 1
        learner_cohort.setdefault(r["learner"], set()).add(r["campaign"])
    lesson_ids = set()
    for campaign_id in campaign_ids:
        for course in CampaignCourses.of(campaign_id):
            lesson_ids |= {lesson.pk for lesson in LessonPage.objects.child_of(course).live()}
    active_pairs = defaultdict(set)
    for event in ProgressEvent.objects.filter(lesson_id__in=lesson_ids):
        for campaign_id in learner_cohort.get(event.learner_id, ()):
            if event.lesson_id in CampaignLessons.of(campaign_id):
                active_pairs[week_start(event.occurred_at)].add((campaign_id, event.learner_id))
    for week, pairs in active_pairs.items():
        weeks[week]["active"] += len(pairs)
    assert {
        r["week"]: {k: r[k] for k in ("joined", "active", "completed")} for r in weekly_trend(scope)
    } == dict(weeks)

    started = defaultdict(int)
    completed = defaultdict(int)
    members = expected.members
    for lp in LessonProgress.objects.all():
        for campaign_id in campaign_ids:
            if (campaign_id, lp.learner_id) in members and any(
                e.course_id == lp.course_id
                and e.learner_id == lp.learner_id
                and e.campaign_id == campaign_id
                for e in expected.enrollments
            ):
                started[lp.lesson_id] += 1
                completed[lp.lesson_id] += lp.status == "completed"
    assert {r["lesson_id"]: (r["started"], r["completed"]) for r in lesson_funnel(scope)} == {
        lesson_id: (started[lesson_id], completed[lesson_id]) for lesson_id in started
    }

    answered = defaultdict(int)
    missed = defaultdict(int)
    keys = {}
    for event in ProgressEvent.objects.filter(kind="quiz"):
        if event.lesson_id not in keys:
            keys[event.lesson_id] = lesson_quiz_key(LessonPage.objects.get(pk=event.lesson_id))
        key = keys[event.lesson_id]
        for campaign_id in campaign_ids:
            if (campaign_id, event.learner_id) not in members:
                continue
            if event.lesson_id not in CampaignLessons.of(campaign_id):
                continue
            for question_id, question in key.items():
                answered[question_id] += 1
                chosen = frozenset(event.data["answers"].get(question_id, ()))
                missed[question_id] += chosen != question.correct
    top = missed_questions(scope, limit=1000)
    assert {r["question_id"]: (r["answered"], r["missed"]) for r in top} == {
        q: (answered[q], missed[q]) for q in missed if missed[q]
    }
    assert [r["missed"] for r in top] == sorted((r["missed"] for r in top), reverse=True)


class CohortName:
    @staticmethod
    def of(cohort_id):
        return Cohort.objects.get(pk=cohort_id).name


class CampaignCourses:
    @staticmethod
    @functools.cache
    def of(campaign_id):
        from core.models import Campaign

        return list(Campaign.objects.get(pk=campaign_id).courses.specific())


class CampaignLessons:
    @staticmethod
    @functools.cache
    def of(campaign_id):
        ids = set()
        for course in CampaignCourses.of(campaign_id):
            ids |= set(LessonPage.objects.child_of(course).live().values_list("pk", flat=True))
        return ids


@pytest.fixture(autouse=True)
def _fresh_caches():
    yield
    CampaignCourses.of.cache_clear()
    CampaignLessons.of.cache_clear()


def test_every_campaign_dashboard_figure_matches_the_raw_tables(dataset):
    admin = UserFactory(username="root", is_superuser=True)
    for campaign in dataset["campaigns"]:
        check_scope(campaign_scope(user=admin, campaign=campaign), [campaign.pk])


def test_figures_are_the_same_when_learners_are_read_a_few_at_a_time(dataset, monkeypatch):
    # Learners are read in chunks of ids: a learner split from their events by a chunk
    # boundary, or counted in two chunks, would change the weekly and question figures.
    from campaigns.services import rollups

    monkeypatch.setattr(rollups, "LEARNER_CHUNK", 7)
    admin = UserFactory(username="root", is_superuser=True)
    for campaign in dataset["campaigns"]:
        rollup_rebuild(campaign_id=campaign.pk, as_of=NOW)
        check_scope(campaign_scope(user=admin, campaign=campaign), [campaign.pk])


def test_office_dashboard_figures_match_the_raw_tables(dataset):
    admin = UserFactory(username="root", is_superuser=True)
    office_f = dataset["offices"][0]
    scope = office_scope(user=admin, office=office_f)
    check_scope(scope, [c.pk for c in dataset["campaigns"] if c.office_id == office_f.pk])


def test_trainer_dashboard_counts_only_their_cohorts(dataset):
    trainer = UserFactory(username="t1")
    campaign = dataset["campaigns"][0]
    scope = campaign_scope(user=trainer, campaign=campaign)
    assert scope.cohort_ids is not None
    check_scope(scope, [campaign.pk], set(scope.cohort_ids))


OFFICE_LEVELS = ("f", "a", "b", "ta")  # prefecture, two counties, township


def office_below(region, name):
    """An officer of an office at `region`, below the province campaign's region."""
    from core.roles import PROGRAM_OFFICERS

    officer = UserFactory(username=f"officer_{name}", role=PROGRAM_OFFICERS)
    ProgramOfficeFactory(region=region).members.add(officer)
    return officer


def test_every_figure_at_every_lower_office_level_matches_the_raw_tables(dataset):
    # Issue 14: the prefecture, county and township offices under a province campaign see
    # every figure of their own area: regions, courses, cohorts, weeks, lessons, questions.
    tree, campaign = dataset["tree"], dataset["campaigns"][3]
    for name in OFFICE_LEVELS:
        region = getattr(tree, name)
        scope = campaign_scope(user=office_below(region, name), campaign=campaign)
        assert scope.subtrees == (region.path,), name
        expected = Expected({campaign.pk}, subtrees=scope.subtrees)
        assert expected.learners, name  # the dataset puts learners in every office's area
        check_scope(scope, [campaign.pk], subtrees=scope.subtrees)
        assert course_breakdown(scope) and weekly_trend(scope) and lesson_funnel(scope), name


def test_completion_against_target(dataset):
    admin = UserFactory(username="root", is_superuser=True)
    campaign = dataset["campaigns"][0]
    figures_ = kpis(campaign_scope(user=admin, campaign=campaign))
    assert figures_["target"] == 40
    assert figures_["target_percent"] == round(100 * figures_["completed"] / 40)


def test_dashboard_page_shows_the_same_figures_at_every_drill_level(client, dataset):
    from django.urls import reverse

    admin = UserFactory(username="root", is_superuser=True)
    client.force_login(admin)
    campaign = dataset["campaigns"][0]
    expected = kpis(campaign_scope(user=admin, campaign=campaign))
    url = reverse("campaigns:dashboard", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert f'data-kpi="enrolled">{expected["enrolled"]}<' in page
    assert "<svg" in page
    for region in (dataset["tree"].a, dataset["tree"].ta):
        assert client.get(url, {"region": region.code}).status_code == 200


# --- incremental refresh ---------------------------------------------------------------------


def dashboard_snapshot(scope) -> dict:
    """Every figure the dashboard shows for `scope`, at every drill level of its region tree."""
    regions = {}
    pending = [scope.root]
    while pending:
        parent = pending.pop()
        rows = region_breakdown(scope, parent)
        regions[parent.code] = rows
        pending += [r.region for r in rows if r.region and r.region.pk != parent.pk and r.enrolled]
    summary = kpis(scope)
    summary.pop("as_of")
    return {
        "kpis": summary,
        "regions": regions,
        "courses": course_breakdown(scope),
        "cohorts": cohort_breakdown(scope),
        "weeks": weekly_trend(scope),
        "lessons": lesson_funnel(scope),
        "questions": missed_questions(scope, limit=1000),
    }


def random_changes(rng, dataset):
    """Every kind of change that moves a figure, through the services that make them."""
    from learners.accounts.services import account_erase, profile_update
    from learners.certificates.services import certificate_issue, certificate_revoke
    from learners.services import enrollment_create, enrollments_create_many, progress_record

    tree = dataset["tree"]
    admin = UserFactory(username="changer", is_superuser=True)
    camp1, camp2 = dataset["campaigns"][:2]
    learners = list(
        LearnerProfile.objects.filter(user__username__startswith="learner").select_related("user")
    )
    rng.shuffle(learners)
    # Progress, some of it offline and dated days or weeks back; some completes courses.
    for profile in learners[:12]:
        enrolled = list(Enrollment.objects.filter(learner=profile.user))
        if not enrolled:
            continue
        course = rng.choice(enrolled).course
        events = []
        for lesson in LessonPage.objects.child_of(course).live().order_by("path"):
            at = NOW - datetime.timedelta(days=rng.choice([0, 0, 2, 9, 20]), hours=1)
            key = lesson_quiz_key(lesson)
            for kind in ("opened", "read", "quiz"):
                data = {}
                if kind == "quiz":
                    data = {
                        "answers": {
                            q: sorted(question.correct) if rng.random() < 0.7 else [2]
                            for q, question in key.items()
                        }
                    }
                events.append(
                    {
                        "id": str(uuid.uuid4()),
                        "lesson": lesson.pk,
                        "kind": kind,
                        "at": at.isoformat(),
                        "data": data,
                    }
                )
        progress_record(learner=profile.user, events=events)
    # Enrollments, one by one (join code) and in bulk (roster import).
    cohort1 = Cohort.objects.filter(campaign=camp1).order_by("pk").first()
    for profile in learners[12:18]:
        for course in camp1.courses.specific():
            enrollment_create(learner=profile.user, course=course, campaign=camp1, cohort=cohort1)
    enrollments_create_many(
        campaign=camp2,
        courses=list(camp2.courses.specific()),
        cohort_of={p.user_id: Cohort.objects.get(campaign=camp2).pk for p in learners[18:26]},
    )
    # Certificates issued for completed enrollments, and some revoked.
    for enrollment in Enrollment.objects.filter(
        completed_at__isnull=False, campaign__isnull=False
    ).order_by("pk")[:6]:
        certificate_issue(enrollment_id=enrollment.pk)
    for certificate in Certificate.objects.filter(status="issued").order_by("pk")[:3]:
        certificate_revoke(certificate=certificate, by=admin, reason="错误")
    # Learners move village; two delete their account.
    for profile in learners[26:32]:
        code = rng.choice([tree.va1.code, tree.vb1.code, tree.ta.code, "", "999999999999"])
        profile_update(user=profile.user, village_code=code)
    for profile in learners[32:34]:
        account_erase(user=profile.user)


def test_incremental_refresh_after_random_changes_equals_the_raw_tables_and_a_full_rebuild(
    dataset,
):
    from campaigns.services.rollups import rollups_apply_changes
    from learners.models import LearnerChange

    admin = UserFactory(username="root", is_superuser=True)
    campaigns = dataset["campaigns"]
    before = {c.pk: dashboard_snapshot(campaign_scope(user=admin, campaign=c)) for c in campaigns}
    random_changes(random.Random(7), dataset)
    assert LearnerChange.objects.exists()
    rollups_apply_changes(now=NOW)
    assert not LearnerChange.objects.exists()

    incremental = {}
    for campaign in campaigns:
        scope = campaign_scope(user=admin, campaign=campaign)
        check_scope(scope, [campaign.pk])
        incremental[campaign.pk] = dashboard_snapshot(scope)
    assert incremental != before  # the changes moved figures
    office_f = dataset["offices"][0]
    check_scope(
        office_scope(user=admin, office=office_f),
        [c.pk for c in campaigns if c.office_id == office_f.pk],
    )
    trainer_scope = campaign_scope(user=UserFactory(username="t1"), campaign=campaigns[0])
    check_scope(trainer_scope, [campaigns[0].pk], set(trainer_scope.cohort_ids))
    for name in OFFICE_LEVELS:
        scope = campaign_scope(
            user=office_below(getattr(dataset["tree"], name), name), campaign=campaigns[3]
        )
        check_scope(scope, [campaigns[3].pk], subtrees=scope.subtrees)

    for campaign in campaigns:
        rollup_rebuild(campaign_id=campaign.pk, as_of=NOW)
        full = dashboard_snapshot(campaign_scope(user=admin, campaign=campaign))
        assert full == incremental[campaign.pk], campaign.title


def test_the_sql_rebuild_stores_the_same_shares_and_rows_as_the_python_one(dataset, monkeypatch):
    # Decision 0130: on PostgreSQL the full rebuild runs in SQL; it must store, learner by
    # learner, the shares `_shares` computes (the incremental refresh subtracts them) and the
    # same rollup rows.
    from django.db import connection

    from campaigns.models import LearnerRollup
    from campaigns.services import rollups

    if connection.vendor != "postgresql":
        pytest.skip("the SQL rebuild is PostgreSQL's; SQLite always runs the Python one")

    def stored(campaign):
        shares = {
            row.learner_id: (rollups.share_load(row.share), row.expires_at)
            for row in LearnerRollup.objects.filter(campaign=campaign)
        }
        rows = {}
        for model in rollups.ROLLUP_MODELS:
            fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
            rows[model.__name__] = Counter(
                model.objects.filter(campaign=campaign).values_list(*fields)
            )
        return shares, rows

    for campaign in dataset["campaigns"]:
        rollup_rebuild(campaign_id=campaign.pk, as_of=NOW)
        in_sql = stored(campaign)
        texts = LearnerRollup.objects.filter(campaign=campaign).values_list("share", flat=True)
        assert texts and all(text.startswith(rollups.PLAIN) for text in texts)
        monkeypatch.setattr(rollups, "SQL_REBUILD", False)
        rollup_rebuild(campaign_id=campaign.pk, as_of=NOW)
        monkeypatch.setattr(rollups, "SQL_REBUILD", True)
        assert stored(campaign) == in_sql, campaign.title
