"""A small world with one object of every kind, and the seven roles of the access matrix."""

import io
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Site, Task, Workflow

from campaigns.models import ExportLog
from core.audit import audit_record
from core.roles import ADMINISTRATORS, PROGRAM_OFFICERS, TRAINERS
from courses.models import Topic
from learners.certificates import services as certificate_services
from tests.certificates import factories as cert
from tests.learners.factories import lessons_of, make_course

ROLES = (
    "anonymous",
    "learner",
    "other_learner",
    "trainer",
    "officer_elsewhere",
    "officer",
    "administrator",
)
COUNTY_A, COUNTY_B, VILLAGE_A = "610924000000", "610925000000", "610924100201"


def _staff(username: str, role: str):
    user = cert.UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def _image(collection):
    out = io.BytesIO()
    PILImage.new("RGB", (40, 30), (11, 92, 59)).save(out, "PNG")
    return get_image_model().objects.create(
        title="field", file=ImageFile(out, name="field.png"), collection=collection
    )


def build(capture_on_commit) -> SimpleNamespace:
    """Objects in county A (the officer's) and county B (the other officer's)."""
    course = make_course(lessons=1, questions=1, title="手机入门")
    campaign = cert.campaign_in(COUNTY_A)
    campaign.courses.set([course])
    cohort = cert.cohort_in(campaign, VILLAGE_A)
    campaign_b = cert.campaign_in(COUNTY_B)
    trainer = _staff("trainer", TRAINERS)
    cohort.trainer = trainer
    cohort.save()
    officer = _staff("officer", PROGRAM_OFFICERS)
    campaign.office.members.add(officer)
    officer_elsewhere = _staff("officer_elsewhere", PROGRAM_OFFICERS)
    campaign_b.office.members.add(officer_elsewhere)
    administrator = _staff("administrator", ADMINISTRATORS)

    enrollment = cert.completed_enrollment(
        course=course, campaign=campaign, cohort=cohort, name="王芳"
    )
    other = cert.completed_enrollment(course=course, campaign=campaign, name="张伟")
    with capture_on_commit(execute=True):
        certificate_services.certificate_request(enrollment_id=enrollment.pk)
        certificate_services.certificate_request(enrollment_id=other.pk)
    certificate = enrollment.certificates.get()
    other_certificate = other.certificates.get()

    export = ExportLog.objects.create(
        user=officer, campaign=campaign, kind="aggregates", file_format="csv", status="ready"
    )
    export.file.save("a.csv", ContentFile(b"a,b\n"), save=True)
    audit = audit_record(actor=administrator, action="test.entry", target=campaign)
    # The image and the document are office A's, in its own collection (decision 0120).
    document = get_document_model().objects.create(
        title="notes",
        file=ContentFile(b"%PDF-1.4\n", name="notes.pdf"),
        collection=campaign.office.collection,
    )
    topic = Topic.objects.first() or Topic.objects.create(name="安全", slug="safety")
    workflow = Workflow.objects.first() or Workflow.objects.create(name="Review")
    task = Task.objects.first()
    redirect = Redirect.objects.create(old_path="/old", redirect_link="/")
    lesson = lessons_of(course)[0]
    users = {
        "anonymous": None,
        "learner": enrollment.learner,
        "other_learner": other.learner,
        "trainer": trainer,
        "officer_elsewhere": officer_elsewhere,
        "officer": officer,
        "administrator": administrator,
    }
    return SimpleNamespace(
        users=users,
        course=course,
        lesson=lesson,
        campaign=campaign,
        cohort=cohort,
        office=campaign.office,
        region=campaign.region,
        certificate=certificate,
        other_certificate=other_certificate,
        export=export,
        audit=audit,
        image=_image(campaign.office.collection),
        document=document,
        topic=topic,
        workflow=workflow,
        task=task,
        redirect=redirect,
        collection=Collection.get_first_root_node(),
        site=Site.objects.get(is_default_site=True),
        locale=Locale.get_default(),
        group=Group.objects.get(name=TRAINERS),
        page_ct=ContentType.objects.get_for_model(type(course)),
    )
