"""Fixtures for the reminder tests: a campaign with a course, learners at known times, a clock."""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from campaigns.reminders import services
from campaigns.reminders.models import ReminderRule
from learners.accounts import sms
from learners.certificates.models import Certificate
from learners.models import Enrollment
from tests.accounts.factories import LearnerProfileFactory
from tests.campaigns.conftest import tree  # noqa: F401  (fixture)
from tests.campaigns.factories import CampaignFactory, CohortFactory, ProgramOfficeFactory
from tests.learners.factories import make_course

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in December 2026, Beijing time (the controllable clock of these tests)."""
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """The time `django.utils.timezone.now()` returns in these tests; set it with `clock.set`."""

    def __init__(self) -> None:
        self.moment = at(1, 9)

    def set(self, moment: datetime.datetime) -> datetime.datetime:
        self.moment = moment
        return moment

    def now(self) -> datetime.datetime:
        return self.moment.astimezone(datetime.UTC)


CLOCK = Clock()


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Every `timezone.now()` (services, eager tasks, auto_now fields) reads the test's clock."""
    from django.utils import timezone

    CLOCK.set(at(1, 9))
    monkeypatch.setattr(timezone, "now", CLOCK.now)
    return CLOCK


@pytest.fixture(autouse=True)
def _english_and_empty_sms():
    sms.outbox.clear()
    with translation.override("en"):
        yield
    sms.outbox.clear()


@pytest.fixture
def world(tree):  # noqa: F811
    office = ProgramOfficeFactory(region=tree.a)
    campaign = CampaignFactory(office=office, region=tree.a)
    cohort = CohortFactory(campaign=campaign, village=tree.va1)
    course = make_course(title="手机支付安全")
    return SimpleNamespace(
        tree=tree, office=office, campaign=campaign, cohort=cohort, course=course
    )


def enrol(world, *, stalled_since=None, enrolled_at=None, name="李秀英", cohort=True, **profile):
    """A learner enrolled in the world's course, last active at `stalled_since`."""
    user = LearnerProfileFactory(display_name=name, **profile).user
    enrollment = Enrollment.objects.create(
        learner=user,
        course=world.course,
        campaign=world.campaign,
        cohort=world.cohort if cohort else None,
        last_activity_at=stalled_since,
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=enrolled_at or at(1, 9))
    enrollment.refresh_from_db()
    return enrollment


@pytest.fixture
def rule(world):
    """An active rule: stalled 7 days, sent 08:00–21:30 (wider than the quiet hours allow)."""
    return ReminderRule.objects.create(
        campaign=world.campaign,
        name="停了一周",
        kind=ReminderRule.Kind.STALLED,
        days=7,
        window_start=datetime.time(7, 0),
        window_end=datetime.time(23, 0),
        active=True,
    )


def issued(enrollment, moment, *, rendered=True, **fields):
    """A valid certificate for `enrollment`, issued at `moment` (its files made if `rendered`)."""
    Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=moment)
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        learner=enrollment.learner,
        course=enrollment.course,
        campaign=enrollment.campaign,
        learner_name="李秀英",
        course_title=enrollment.course.title,
        issuer_name="测试办公室",
        hours=Decimal("1.0"),
        completed_on=moment.date(),
        issued_at=moment,
        **fields,
    )
    if rendered:
        certificate.pdf.save("c.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        certificate.png.save("c.png", ContentFile(b"\x89PNG test"), save=False)
        certificate.rendered_at = moment
        certificate.save()
    return certificate


def tick(moment, capture):
    """One beat of the dispatcher at `moment`, running what it hands to the outbox (eager)."""
    CLOCK.set(moment)
    with capture(execute=True):
        return services.reminders_dispatch(now=moment)
