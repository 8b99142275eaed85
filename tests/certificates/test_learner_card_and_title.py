"""What a learner reads: one waiting card per certificate, and the course's own title printed."""

import pytest
from django.utils import timezone

from learners.certificates import services
from learners.certificates.models import Certificate
from learners.models import Enrollment
from learners.services import enrollment_create
from tests.learners.factories import make_course

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_worker(monkeypatch):
    from learners.certificates import tasks

    monkeypatch.setattr(tasks.certificate_make_task, "apply_async", lambda *a, **k: None)


def test_a_course_taken_alone_and_in_a_campaign_shows_one_waiting_card(client, no_worker):
    alone = factories.completed_enrollment(name="赵玥")
    campaign = factories.campaign_in()
    in_campaign = enrollment_create(learner=alone.learner, course=alone.course, campaign=campaign)
    Enrollment.objects.filter(pk=in_campaign.pk).update(completed_at=timezone.now())
    services.certificate_request(enrollment_id=alone.pk)
    services.certificate_request(enrollment_id=in_campaign.pk)
    assert factories.certificate_messages(alone.learner).count() == 2
    client.force_login(alone.learner)
    page = client.get("/me/").content.decode()
    assert page.count('data-state="pending"') == 1


def test_the_certificate_names_the_course_not_the_certificate_title(no_worker):
    course = make_course(lessons=1, questions=1, title="手机基本技能")
    course.certificate_title = "手机基本技能结业证书"
    course.save_revision().publish()
    enrollment = factories.completed_enrollment(course=course)
    services.certificate_request(enrollment_id=enrollment.pk)
    services.certificate_make(enrollment_id=enrollment.pk)
    assert Certificate.objects.get().course_title == "手机基本技能"
