"""Completed enrollments, offices and officers for the certificates tests."""

import io
import uuid

from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image, ImageDraw
from wagtail.images.models import Image as WagtailImage

from learners.models import Enrollment
from learners.services import enrollment_create, progress_record
from tests.accounts.factories import LearnerProfileFactory
from tests.campaigns.factories import (
    CampaignFactory,
    CohortFactory,
    ProgramOfficeFactory,
    UserFactory,
    add_region,
)
from tests.learners.factories import lessons_of, make_course, right_answers

RARE_NAME = "𠮷野 家明"


def seal_image() -> WagtailImage:
    """A red seal uploaded as a Wagtail image."""
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 390, 390), outline=(200, 20, 20, 230), width=16)
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return WagtailImage.objects.create(title="seal", file=ImageFile(out, name="seal.png"))


def regions():
    """A province with two counties, each with a village (created once per test)."""
    from core.models import Region

    if not Region.objects.filter(code="610000000000").exists():
        province = add_region("610000000000", "陕西省")
        county = add_region("610924000000", "石泉县", Region.objects.get(pk=province.pk))
        add_region("610924100201", "池河村", Region.objects.get(pk=county.pk))
        other = add_region("610925000000", "汉阴县", Region.objects.get(pk=province.pk))
        add_region("610925100201", "凤亭村", Region.objects.get(pk=other.pk))
    return {r.code: r for r in Region.objects.all()}


def office(*, county_code: str = "610924000000", with_seal: bool = False, **kwargs):
    region = regions()[county_code]
    return ProgramOfficeFactory(
        region=region,
        name=kwargs.pop("name", f"{region.name}农业农村局"),
        signatory_name=kwargs.pop("signatory_name", "王建国"),
        seal_image=seal_image() if with_seal else None,
        **kwargs,
    )


def campaign_in(county_code: str = "610924000000", **kwargs):
    the_office = office(county_code=county_code, **kwargs)
    return CampaignFactory(office=the_office, region=the_office.region)


def cohort_in(campaign, village_code: str):
    return CohortFactory(campaign=campaign, village=regions()[village_code])


def learner(name: str = RARE_NAME):
    return LearnerProfileFactory(display_name=name).user


def completed_enrollment(*, course=None, campaign=None, cohort=None, name: str = RARE_NAME):
    """An enrollment marked complete directly (no certificate job yet)."""
    course = course or make_course(lessons=1, questions=1)
    user = learner(name)
    enrollment = enrollment_create(learner=user, course=course, campaign=campaign, cohort=cohort)
    Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=timezone.now())
    enrollment.refresh_from_db()
    return enrollment


def finish_course(user, course):
    """Read every lesson and pass every quiz through the one progress write path."""
    events = []
    for lesson in lessons_of(course):
        now = timezone.now().isoformat()
        events.append({"id": str(uuid.uuid4()), "lesson": lesson.pk, "kind": "read", "at": now})
        events.append(
            {
                "id": str(uuid.uuid4()),
                "lesson": lesson.pk,
                "kind": "quiz",
                "at": now,
                "data": {"answers": right_answers(lesson)},
            }
        )
    return progress_record(learner=user, events=events)


def officer(the_office, *, role: str = "Program officers"):
    user = UserFactory(role=role)
    the_office.members.add(user)
    return user


def administrator():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Administrators"))
    return user


def certificate_messages(enrollment_or_learner):
    """The outbox messages that make the certificate of an enrollment, or of a learner's."""
    from core.outbox.models import OutboxMessage
    from learners.certificates.services import CERTIFICATE_TASK, certificate_key

    if isinstance(enrollment_or_learner, Enrollment):
        ids = [enrollment_or_learner.pk]
    else:
        ids = Enrollment.objects.filter(learner=enrollment_or_learner).values_list("pk", flat=True)
    return OutboxMessage.objects.filter(
        task=CERTIFICATE_TASK, key__in=[certificate_key(pk) for pk in ids]
    )
