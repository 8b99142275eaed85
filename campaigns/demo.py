"""Demo region tree, program office, campaign and cohort for `bootstrap_demo` (idempotent)."""

import datetime
from importlib import import_module

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.demo import load_accounts
from core.models import Campaign, Cohort, ProgramOffice, Region

from .services import region_import
from .services.office_media import office_collection_ensure

# A real-looking slice of Gansu province (codes follow the statistics bureau's 12-digit scheme).
DEMO_REGIONS = [
    ("code", "name", "parent_code"),
    ("620000000000", "甘肃省", ""),
    ("621100000000", "定西市", "620000000000"),
    ("621102000000", "安定区", "621100000000"),
    ("621121000000", "通渭县", "621100000000"),
    ("621102100000", "凤翔镇", "621102000000"),
    ("621102101000", "内官营镇", "621102000000"),
    ("621121100000", "平襄镇", "621121000000"),
    ("621102100201", "团结村", "621102100000"),
    ("621102100202", "红星村", "621102100000"),
    ("621102101201", "锦花村", "621102101000"),
    ("621121100201", "温泉村", "621121100000"),
    ("621121100202", "李家店村", "621121100000"),
]
DEMO_OFFICE = "定西市农业农村局"
DEFAULT_OFFICE = "数字乡村课堂平台"
DEMO_CAMPAIGN = "定西市农民数字素养提升行动"
DEMO_CAMPAIGN_CODE = "DXSZ26"
DEMO_COHORT = "团结村第一期"
DEMO_COHORT_CODE = "TJCN26"
DEMO_LEARNERS = [
    ("张桂兰", "621102100201"),
    ("刘建军", "621102100201"),
    ("马秀珍", "621102100201"),
    ("杨志强", "621102100202"),
    ("何玉梅", "621102101201"),
    ("王福田", "621121100201"),
    ("赵春花", "621121100202"),
]


def load(stdout=None) -> Campaign:
    """Create the demo regions, offices, campaign and cohort unless they exist."""
    region_import(rows=DEMO_REGIONS)
    load_accounts()
    _grant_role_permissions()
    User = get_user_model()
    province = Region.objects.get(code="620000000000")
    prefecture = Region.objects.get(code="621100000000")
    ProgramOffice.objects.get_or_create(
        is_default=True,
        defaults={"name": DEFAULT_OFFICE, "region": province, "signatory_name": "数字乡村课堂"},
    )
    office, _ = ProgramOffice.objects.get_or_create(
        name=DEMO_OFFICE, defaults={"region": prefecture, "signatory_name": "陈丽华"}
    )
    office.members.add(User.objects.get(username="officer"))
    # Each office's image collection and group (decision 0120); made again if a flush lost them.
    for each in ProgramOffice.objects.all():
        office_collection_ensure(office=each)
    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        join_code=DEMO_CAMPAIGN_CODE,
        defaults={
            "office": office,
            "title": DEMO_CAMPAIGN,
            "region": prefecture,
            "starts_on": today - datetime.timedelta(days=60),
            "ends_on": today + datetime.timedelta(days=300),
            "target_learners": 500,
        },
    )
    if not campaign.courses.exists():
        from courses.models import CoursePage

        campaign.courses.set(CoursePage.objects.live().filter(locale__language_code="zh-hans"))
    cohort, _ = Cohort.objects.get_or_create(
        join_code=DEMO_COHORT_CODE,
        defaults={
            "campaign": campaign,
            "name": DEMO_COHORT,
            "trainer": User.objects.get(username="trainer"),
            "village": Region.objects.get(code="621102100201"),
            "schedule": "每周二、周四晚上七点，村委会活动室",
        },
    )
    _load_learners(campaign, cohort, User.objects.get(username="trainer"))
    if stdout is not None:
        stdout.write(f"Demo campaign “{campaign.title}”: join code {campaign.join_code}")
    return campaign


def _grant_role_permissions() -> None:
    """Give the roles their campaigns and certificates permissions again (idempotent).

    `load_accounts` rebuilds lost roles with the shell's permissions only; on a flushed database
    (transactional tests, a reset demo server) the officer would otherwise be refused every
    campaign screen and the certificate registry. Replays the apps' own data migrations rather
    than copying their tables.
    """
    from django.apps import apps

    # The campaign, cohort, region and office permissions moved to core with their models (0151).
    import_module("core.migrations.0002_content_types_and_role_permissions").grant(apps, None)
    import_module("campaigns.migrations.0016_export_log_permission").grant(apps, None)
    if apps.is_installed("learners.certificates"):
        import_module("learners.certificates.migrations.0002_role_permissions").grant(apps, None)


def _load_learners(campaign: Campaign, cohort: Cohort, trainer) -> None:
    """A few registered learners in the demo villages so the dashboard has figures."""
    from learners.accounts.services import learner_register

    from .services import campaign_enroll
    from .services.rollups import rollup_rebuild

    courses = list(campaign.courses.specific())
    for number, (name, village) in enumerate(DEMO_LEARNERS):
        learner = learner_register(
            name=name,
            phone=f"+86139000000{number:02d}",
            registered_by=trainer,
            village_code=village,
        )
        in_cohort = village == cohort.village.code
        campaign_enroll(
            learner=learner,
            campaign=campaign,
            cohort=cohort if in_cohort else None,
            courses=courses,
        )
    _load_progress(campaign)
    rollup_rebuild(campaign_id=campaign.pk)


# How many lessons of the campaign's courses (taken in order) each demo learner has finished, in
# the order of DEMO_LEARNERS: one finished all three courses, others stopped at different lessons,
# so the dashboard's completions, funnel, trend and "most missed questions" have figures to show.
DEMO_LESSONS_DONE = [15, 10, 6, 5, 3, 2, 1]


def _load_progress(campaign: Campaign) -> None:
    """Weeks of learning by the demo learners, written through the one progress write path.

    Event ids are derived from the learner, lesson and step, so loading the demo again replays
    the same events and changes nothing.
    """
    import uuid

    from courses.models import LessonPage
    from courses.selectors import lesson_quiz_key
    from learners.services import progress_record

    lessons = [
        lesson
        for course in campaign.courses.order_by("path")
        for lesson in LessonPage.objects.child_of(course).live().order_by("path").specific()
    ]
    now = timezone.now()
    User = get_user_model()
    for number, done in enumerate(DEMO_LESSONS_DONE):
        learner = User.objects.get(learner_profile__phone=f"+86139000000{number:02d}")
        events = []
        for index, lesson in enumerate(lessons[:done]):
            # A lesson every other evening; the last one 2–8 days ago.
            days_ago = 2 * (done - index) + number
            at = (now - datetime.timedelta(days=days_ago)).replace(hour=11 + number % 3, minute=0)
            key = lesson_quiz_key(lesson)
            right = {qid: sorted(q.correct) for qid, q in key.items()}
            steps = [("opened", None), ("read", None)]
            if number % 2:  # every other learner gets the first question wrong at first
                wrong = dict(right)
                first = next(iter(key), None)
                if first is not None:
                    choices = range(key[first].choice_count)
                    wrong[first] = [next(c for c in choices if c not in key[first].correct)]
                    steps.append(("quiz", {"answers": wrong}))
            steps.append(("quiz", {"answers": right}))
            for step, (kind, data) in enumerate(steps):
                event = {
                    "id": str(
                        uuid.uuid5(uuid.NAMESPACE_URL, f"demo/{learner.pk}/{lesson.pk}/{step}")
                    ),
                    "lesson": lesson.pk,
                    "kind": kind,
                    "at": (at + datetime.timedelta(minutes=4 * step)).isoformat(),
                }
                if data is not None:
                    event["data"] = data
                events.append(event)
        if events:
            progress_record(learner=learner, events=events)
