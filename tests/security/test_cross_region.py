"""Issue 16: nothing about another region's learners reaches an office, by any path.

Two provinces (tests/security/two_provinces.py), each with its office, officer, trainer,
campaign, cohort, learner and certificate, made through the app's services.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campaigns.models import RosterImport
from campaigns.services.roster import ROW_PHONE_NOT_HERE
from learners.certificates.models import Certificate
from learners.models import Enrollment

from . import two_provinces

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return two_provinces.build(django_capture_on_commit_callbacks)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _roster(rows: list[tuple[str, str, str]]) -> SimpleUploadedFile:
    lines = ["name,phone,village code,cohort", *(",".join(r) + "," for r in rows)]
    return SimpleUploadedFile("roster.csv", "\n".join(lines).encode(), content_type="text/csv")


# --- Finding 1: the roster is not a registration oracle and enrolls no one from elsewhere -------


def test_another_regions_number_is_a_row_error_that_names_no_one(world):
    a, b = world["A"], world["B"]
    officer_b = _client(b.officer)
    upload = officer_b.post(
        reverse("campaigns:roster", args=[b.campaign.pk]),
        {
            "file": _roster(
                [
                    ("随便写的名字", a.phone[3:], b.village.code),  # region A's learner
                    ("乙地新人", "13700137000", b.village.code),  # nobody's number
                    ("乙地赵敏敏", b.phone[3:], b.village.code),  # B's own learner
                ]
            )
        },
    )
    assert upload.status_code == 302
    page = officer_b.get(upload["Location"]).content.decode()

    roster = RosterImport.objects.get(campaign=b.campaign)
    outcomes = [(row["line"], row["outcome"], row["reasons"]) for row in roster.rows]
    assert outcomes == [
        (2, "invalid", [str(ROW_PHONE_NOT_HERE)]),
        (3, "new", []),
        (4, "existing", []),
    ]
    assert str(ROW_PHONE_NOT_HERE) in page
    typed = {a.phone[3:], a.phone[3:6] + "****" + a.phone[-4:]}  # B's officer typed the number
    for word in set(a.words) - typed:
        assert word not in page

    confirmed = officer_b.post(upload["Location"])
    assert confirmed.status_code == 302
    assert not Enrollment.objects.filter(learner=a.learner, campaign=b.campaign).exists()
    assert Enrollment.objects.filter(learner=b.learner, campaign=b.campaign).exists()
    assert not Certificate.objects.filter(learner=a.learner, campaign=b.campaign).exists()


# --- Finding 8: every URL, as each of region B's people, shows nothing of region A -------------

ROLES_B = ("officer", "trainer", "learner")
# Public pages opened with a code: a certificate's verify page and files, a join page, and a
# training session's check-in page (its random public id is the QR code shown in the room).
PUBLIC_BY_CODE = ("certificates:", "campaigns_join", "sessions_check_in_session")
# A URL argument that names a stored object (every other argument is a code, a format, a model
# name, a token or a word the view chooses between).
OBJECT_ARGUMENT = re.compile(r"(^|_)(pk|id)$|^roster$")

# Which of a province's objects (see _region_objects) fills `pk`, by namespace or by route name.
PK_OF = {
    "campaigns": "campaign",
    "campaigns:export_download": "export",
    "cohorts": "cohort",
    "program_offices": "office",
    "regions": "county",
    "certificate_registry": "certificate",
    "certificate_registry:print_status": "print_batch",
    "certificate_registry:print_download": "print_batch",
    "wagtailusers_users": "learner",
    "wagtailusers_groups": "office_group",
    "wagtailadmin_collections": "collection",
    "training_sessions": "session",
    "training_sessions:figures": "campaign",
    "training_sessions:report": "office",
    "training_sessions:report_download": "office",
    "reminders": "rule",
    "audit_log": "audit_entry",
    "wagtailimages_chooser": "seal",
    "wagtaildocs_chooser": "document",
    # Content shared by every region (one course catalogue, one site): the same object both times.
    "courses_review_submit": "course",
    "courses_review": "course",
    "courses_pack_export": "course",
    "wagtailsnippets_courses_topic": "topic",
    "wagtailsnippetchoosers_courses_topic": "topic",
    "wagtaillocales": "locale",
    "wagtailsites": "site",
    "wagtailadmin_workflows": "workflow",
    "wagtailadmin_workflows:edit_task": "task",
    "wagtailadmin_workflows:disable_task": "task",
    "wagtailadmin_workflows:enable_task": "task",
}
# Other object arguments, by name.
ARGUMENT_OF = {
    "image_id": "seal",
    "media_id": "media",
    "document_id": "document",
    "doc_id": "document",
    "collection_id": "collection",
    "public_id": "session_public_id",
    "roster": "roster",
    "page_id": "course",
    "parent_page_id": "course",
    "page_to_move_id": "lesson",
    "destination_id": "course",
    "course_id": "course",
    "lesson_id": "lesson",
    "page_pk": "course",
    "revision_id": "revision",
    "task_id": "task",
    "workflow_pk": "workflow",
    "redirect_id": "redirect",
    "translation_source_id": "translation_source",
    "translation_id": "translation",
}
# Object patterns left with a placeholder, and why. test_every_object_url_is_filled_or_listed fails
# when a pattern with an object argument is in neither list, or listed here but filled.
UNFILLED = {
    "wagtailadmin_pages:workflow_action": "a task state exists only while a page is in review",
    "wagtailadmin_pages:collect_workflow_action_data": "a task state exists only in review",
    "wagtailadmin_pages:workflow_history_detail": "a workflow state exists only after a review",
    "wagtailadmin_pages:revisions_compare": "regex pattern: url_matrix's fixed example",
    "wagtailadmin_editing_sessions:ping": "an editing session is the browser's, of a page edit",
    "wagtailadmin_editing_sessions:release": "an editing session is the browser's",
    "wagtailsettings:edit": "no site settings model with rows per region",
    "wagtailsettings:preview_on_edit": "no site settings model with rows per region",
    "wagtail_localize:submit_snippet_translation": "snippets are shared content (topics)",
    "wagtail_localize:snippets_api_detail": "snippets are shared content (topics)",
    "wagtail_localize:edit_string_translation": "a string segment of a shared course",
    "wagtail_localize:edit_override": "an overridable segment of a shared course",
    "wagtailimages:create_multiple_from_uploaded_image": "an upload in flight, its uploader's",
    "wagtailimages:delete_upload_multiple": "an upload in flight, its uploader's",
    "wagtaildocs:create_multiple_from_uploaded_document": "an upload in flight, its uploader's",
    "wagtaildocs:delete_upload_multiple": "an upload in flight, its uploader's",
    "wagtaildocs_authenticate_with_password": "no private document collections",
    "wagtailcore_authenticate_with_password": "no password-protected pages",
}


def _region_objects(world) -> dict[str, dict]:
    """Each province's objects for every object URL, and the shared ones both get."""
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Locale, Site, Task, Workflow
    from wagtail_localize.models import Translation, TranslationSource

    from campaigns.models import ExportLog
    from campaigns.reminders.models import ReminderRule
    from campaigns.sessions.models import TrainingSession
    from core.models import AuditLog
    from courses.models import CoursePage, LessonMedia, Topic
    from learners.certificates.models import PrintBatch

    from .test_office_collections import _png

    course = CoursePage.objects.get(title="两地通用课程")
    lesson = course.get_children().first()
    english, _ = Locale.objects.get_or_create(language_code="en")
    source, _ = TranslationSource.get_or_create_from_instance(course)
    translation, _ = Translation.objects.get_or_create(
        source=source, target_locale=english, defaults={"enabled": True}
    )
    shared = {
        "course": course.pk,
        "lesson": lesson.pk,
        "revision": course.latest_revision_id,
        "topic": Topic.objects.create(name="两地通用主题", slug="shared-topic").pk,
        "locale": english.pk,
        "site": Site.objects.get(is_default_site=True).pk,
        "workflow": Workflow.objects.first().pk,
        "task": Task.objects.first().pk,
        "redirect": Redirect.objects.create(old_path="/old-shared", redirect_link="/").pk,
        "translation_source": source.pk,
        "translation": translation.pk,
    }
    objects = {}
    for key, p in world.items():
        seal = get_image_model()(title=f"{key}地公章", collection=p.office.collection)
        seal.file = ContentFile(_png(), name=f"seal-{key}.png")
        seal.save()
        p.office.seal_image = seal
        p.office.save()
        document = get_document_model()(title=f"{key}地通知", collection=p.office.collection)
        document.file = ContentFile(b"notice", name=f"notice-{key}.txt")
        document.save()
        media = LessonMedia(title=f"{key}地录音", type="audio", collection=p.office.collection)
        media.file = ContentFile(b"audio", name=f"audio-{key}.mp3")
        media.save()
        session = TrainingSession.objects.create(
            cohort=p.cohort,
            trainer=p.trainer,
            village=p.village,
            place=f"{key}地活动室",
            starts_at=timezone.now(),
        )
        export = ExportLog.objects.create(
            user=p.officer,
            campaign=p.campaign,
            office=p.office,
            kind="learners",
            file_format="csv",
            status="ready",
            region_code=p.county.code,
        )
        export.file.save(f"export-{key}.csv", ContentFile(b"name\n"), save=True)
        roster = RosterImport.objects.create(
            campaign=p.campaign, uploaded_by=p.officer, filename=f"{key}地名单.csv", rows=[]
        )
        objects[key] = {
            **shared,
            "campaign": p.campaign.pk,
            "cohort": p.cohort.pk,
            "office": p.office.pk,
            "county": p.county.pk,
            "certificate": p.certificate.pk,
            "learner": p.learner.pk,
            "office_group": p.office.media_group_id,
            "collection": p.office.collection_id,
            "seal": seal.pk,
            "document": document.pk,
            "media": media.pk,
            "session": session.pk,
            "session_public_id": session.public_id,
            "rule": ReminderRule.objects.create(campaign=p.campaign, name=f"{key}地提醒").pk,
            "export": export.pk,
            "roster": roster.pk,
            "print_batch": PrintBatch.objects.create(
                requested_by=p.officer, cohort=p.cohort, title=f"{key}地打印", state="ready"
            ).pk,
            "audit_entry": AuditLog.objects.filter(object_id=str(export.pk)).first().pk,
        }
        p.words += [
            seal.title,
            document.title,
            media.title,
            f"{key}地活动室",
            f"{key}地提醒",
            f"{key}地名单",
            f"{key}地打印",
        ]
    return objects


def _values(route, objects: dict) -> dict[str, str]:
    """The URL arguments of `route` filled with one province's objects (`objects`)."""
    values = {
        "code": "",
        "kind": "learners",
        "fmt": "csv",
        "filter_spec": "max-165x165",
        "content_type_app_name": "courses",
        "content_type_model_name": "lessonpage",
    }
    namespace = route.key.rsplit(":", 1)[0] if ":" in route.key else route.key
    target = PK_OF.get(route.key) or PK_OF.get(namespace)
    for name in route.arg_names:
        if name == "pk" and target is not None:
            values["pk"] = objects[target]
        elif name in ARGUMENT_OF:
            values[name] = objects[ARGUMENT_OF[name]]
    if route.key.startswith(("campaigns:", "campaigns_")) and "pk" not in values:
        values["pk"] = objects["campaign"]
    return {key: str(value) for key, value in values.items() if value is not None}


def _with_code(route, side, values: dict) -> dict:
    values = dict(values)
    values["code"] = (
        side.campaign.join_code if route.key == "campaigns_join" else side.certificate.code
    )
    return values


def _object_routes():
    from tests.security.url_matrix import routes

    for route in routes():
        if route.key.startswith(("account_", "wagtailadmin_api")):
            continue
        if any(OBJECT_ARGUMENT.search(name) for name in route.arg_names):
            yield route


def _body(response) -> str:
    if response.streaming:
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _leaks(world, objects, role: str, own_side: str) -> list[tuple]:
    from tests.security.url_matrix import fill, routes

    other_side = "A" if own_side == "B" else "B"
    other = world[other_side]
    me = world[own_side]
    user = getattr(me, role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    found = []
    for route in routes():
        if route.key.startswith(("account_", "wagtailadmin_api")) or "logout" in route.key:
            continue
        for side, side_key in ((me, own_side), (other, other_side)):
            if side is other and route.key.startswith(PUBLIC_BY_CODE):
                continue  # A's code is a capability: whoever holds it may verify or join
            url, _real = fill(route, _with_code(route, side, _values(route, objects[side_key])))
            response = client.get(url)
            if response.status_code >= 500:
                continue  # server errors are test_every_url.py's business
            body = _body(response)
            shown = [w for w in other.words if w in body and w not in url]
            if shown:
                found.append((route.key, url, response.status_code, shown))
    return found


@pytest.mark.parametrize("role", ROLES_B)
def test_region_b_sees_nothing_of_region_a_on_any_url(world, role):
    leaks = _leaks(world, _region_objects(world), role, "B")
    assert not leaks, "\n".join(map(str, leaks))


def test_every_object_url_is_filled_or_listed(world):
    """Each URL with an object argument gets a real object of each province, or says why not."""
    from tests.security.url_matrix import fill

    objects = _region_objects(world)
    unfilled, filled = set(), set()
    for route in _object_routes():
        urls = []
        for key in ("A", "B"):
            url, real = fill(route, _with_code(route, world[key], _values(route, objects[key])))
            urls.append(url)
            (filled if real else unfilled).add(route.key)
    unfilled -= filled  # a name with two patterns (one filled) counts as filled
    assert not unfilled - set(UNFILLED), (
        f"object URLs with a placeholder: {unfilled - set(UNFILLED)}"
    )
    assert not set(UNFILLED) & filled, f"listed as unfilled but filled: {set(UNFILLED) & filled}"
