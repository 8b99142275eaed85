"""The rule kinds "quiz failed twice" and "certificate ready": who they reach, the preview, the
planning, the words, where the link leads, and what stops them (clock passed as `now`)."""

import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from campaigns.reminders import selectors, services
from campaigns.reminders.forms import RuleForm
from campaigns.reminders.models import ReminderRule, ReminderSend
from learners.accounts import sms
from learners.accounts.links import sign_in_link_find, sign_in_link_use
from learners.accounts.services import account_erase
from learners.certificates.models import Certificate
from learners.models import Enrollment, LessonProgress, ProgressEvent
from tests.learners.factories import lessons_of, right_answers, wrong_answers

from .conftest import CLOCK, at, enrol, issued, tick

pytestmark = pytest.mark.django_db

S = ReminderSend.Status


def quiz(enrollment, lesson, moment, *, right: bool):
    """The learner's quiz attempt on `lesson` at `moment`, as the progress write path stores it
    (the event with the server's verdict, and the lesson's state)."""
    ProgressEvent.objects.create(
        id=uuid.uuid4(),
        learner=enrollment.learner,
        lesson=lesson,
        kind=ProgressEvent.Kind.QUIZ,
        occurred_at=moment,
        data={"answers": right_answers(lesson) if right else wrong_answers(lesson)},
        score=100 if right else 0,
        passed=right,
    )
    progress, _ = LessonProgress.objects.get_or_create(
        learner=enrollment.learner,
        lesson=lesson,
        defaults={"course": enrollment.course, "opened_at": moment},
    )
    if right and progress.quiz_passed_at is None:
        progress.quiz_passed_at = moment
        progress.save()


def kind_rule(world, kind, days):
    """An active rule of `kind` with its suggested Chinese text."""
    return ReminderRule.objects.create(
        campaign=world.campaign,
        name=kind,
        kind=kind,
        days=days,
        message=services_template(kind),
        active=True,
    )


def quiz_rule(world, days=1):
    return kind_rule(world, ReminderRule.Kind.QUIZ_FAILED, days)


def certificate_rule(world, days=2):
    return kind_rule(world, ReminderRule.Kind.CERTIFICATE, days)


def services_template(kind):
    from campaigns.reminders.models import MESSAGE_TEMPLATES

    with translation.override("zh-hans"):
        return str(MESSAGE_TEMPLATES[kind])


# --- quiz failed twice ----------------------------------------------------------------------------


def test_two_failures_of_one_quiz_bring_one_sms_leading_to_that_lesson(
    world, django_capture_on_commit_callbacks
):
    rule = quiz_rule(world)
    _first, second = lessons_of(world.course)
    enrollment = enrol(world, stalled_since=at(2, 10), name="张伟")
    quiz(enrollment, second, at(2, 10), right=False)
    quiz(enrollment, second, at(2, 11), right=False)
    tick(at(4, 10), django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 1
    text = sms.outbox[0].message
    assert text.startswith("张伟，") and "《手机支付安全》" in text and "/r/" in text
    link = sign_in_link_find(token=text.split("/r/")[1].strip("/"))
    assert link.next_path.endswith(f"/{second.slug}/")
    assert ReminderSend.objects.get(rule=rule).status == S.SENT


def test_one_failure_or_failures_of_two_different_quizzes_are_not_enough(
    world, django_capture_on_commit_callbacks
):
    quiz_rule(world)
    first, second = lessons_of(world.course)
    once = enrol(world, stalled_since=at(2, 10))
    quiz(once, first, at(2, 10), right=False)
    spread = enrol(world, stalled_since=at(2, 10))
    quiz(spread, first, at(2, 10), right=False)
    quiz(spread, second, at(2, 11), right=False)
    tick(at(4, 10), django_capture_on_commit_callbacks)
    assert sms.outbox == []
    assert not ReminderSend.objects.exists()


def test_a_quiz_passed_after_the_failures_stops_the_rule(world, django_capture_on_commit_callbacks):
    quiz_rule(world)
    first, _second = lessons_of(world.course)
    enrollment = enrol(world, stalled_since=at(2, 10))
    quiz(enrollment, first, at(2, 10), right=False)
    quiz(enrollment, first, at(2, 11), right=False)
    quiz(enrollment, first, at(2, 12), right=True)
    quiz(enrollment, first, at(2, 13), right=False)  # one failure since the pass: not twice
    tick(at(4, 10), django_capture_on_commit_callbacks)
    assert sms.outbox == []
    # Two more failures since that pass: failed twice again.
    quiz(enrollment, first, at(4, 14), right=False)
    tick(at(6, 10), django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 1


def test_the_rule_waits_its_days_after_the_last_failure(world, django_capture_on_commit_callbacks):
    quiz_rule(world, days=3)
    first, _ = lessons_of(world.course)
    enrollment = enrol(world, stalled_since=at(2, 10))
    quiz(enrollment, first, at(2, 10), right=False)
    quiz(enrollment, first, at(2, 11), right=False)
    tick(at(4, 10), django_capture_on_commit_callbacks)  # 2 days after: not yet
    assert sms.outbox == []
    tick(at(5, 12), django_capture_on_commit_callbacks)  # 3 days after
    assert len(sms.outbox) == 1


def test_passing_between_planning_and_sending_skips_the_reminder(
    world, django_capture_on_commit_callbacks
):
    quiz_rule(world)
    first, _ = lessons_of(world.course)
    enrollment = enrol(world, stalled_since=at(2, 10))
    quiz(enrollment, first, at(2, 10), right=False)
    quiz(enrollment, first, at(2, 11), right=False)
    CLOCK.set(at(4, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(4, 10))  # handed over; the worker is slow
    send = ReminderSend.objects.get()
    quiz(enrollment, first, at(4, 10, 30), right=True)
    assert services.reminder_send(send_id=send.pk, now=at(4, 11)) == S.SKIPPED
    send.refresh_from_db()
    assert send.reason == "quiz_passed"
    assert sms.outbox == []


def test_quiz_rule_honours_the_off_switch_erasure_and_a_finished_course(
    world, django_capture_on_commit_callbacks
):
    quiz_rule(world)
    first, _ = lessons_of(world.course)
    off = enrol(world, stalled_since=at(2, 10), reminders_off=True)
    erased = enrol(world, stalled_since=at(2, 10))
    finished = enrol(world, stalled_since=at(2, 10))
    for enrollment in (off, erased, finished):
        quiz(enrollment, first, at(2, 10), right=False)
        quiz(enrollment, first, at(2, 11), right=False)
    Enrollment.objects.filter(pk=finished.pk).update(completed_at=at(3, 9))
    account_erase(user=erased.learner)
    tick(at(4, 10), django_capture_on_commit_callbacks)
    assert sms.outbox == []
    assert not ReminderSend.objects.exists()


# --- certificate ready ----------------------------------------------------------------------------


def test_an_unopened_certificate_brings_one_sms_to_its_card_on_my_learning(
    world, django_capture_on_commit_callbacks
):
    rule = certificate_rule(world)
    enrollment = enrol(world, stalled_since=at(2, 10), name="王芳")
    certificate = issued(enrollment, at(2, 10))
    tick(at(4, 11), django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 1
    text = sms.outbox[0].message
    assert text.startswith("王芳，") and "《手机支付安全》" in text and "证书" in text
    link = sign_in_link_find(token=text.split("/r/")[1].strip("/"))
    assert link.next_path == f"{reverse('learners_my_learning')}#certificate-{certificate.code}"
    assert ReminderSend.objects.get(rule=rule).status == S.SENT


def test_certificate_rule_skips_opened_pending_revoked_and_too_recent_certificates(
    world, django_capture_on_commit_callbacks
):
    certificate_rule(world)
    issued(enrol(world, stalled_since=at(2, 10)), at(2, 10), opened_at=at(2, 12))
    issued(enrol(world, stalled_since=at(2, 10)), at(2, 10), rendered=False)  # files not ready
    issued(
        enrol(world, stalled_since=at(2, 10)),
        at(2, 10),
        status=Certificate.Status.REVOKED,
        revoked_at=at(3, 10),
    )
    issued(enrol(world, stalled_since=at(3, 10)), at(3, 10))  # 1 day: under the rule's 2
    unfinished = enrol(world, stalled_since=at(2, 10))  # no certificate at all
    assert unfinished.completed_at is None
    tick(at(4, 10), django_capture_on_commit_callbacks)
    assert sms.outbox == []
    assert not ReminderSend.objects.exists()


def test_the_learner_downloading_the_certificate_stops_the_reminder(
    world, client, django_capture_on_commit_callbacks
):
    certificate_rule(world)
    enrollment = enrol(world, stalled_since=at(2, 10))
    certificate = issued(enrollment, at(2, 10))
    CLOCK.set(at(4, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(4, 10))  # handed over; the worker is slow
    send = ReminderSend.objects.get()
    # Someone else with the code (a verifier) opening it changes nothing; the learner does.
    client.get(reverse("certificates:pdf", args=[certificate.code]))
    certificate.refresh_from_db()
    assert certificate.opened_at is None
    client.force_login(enrollment.learner)
    assert client.get(reverse("certificates:png", args=[certificate.code])).status_code == 200
    certificate.refresh_from_db()
    assert certificate.opened_at == at(4, 10)
    assert services.reminder_send(send_id=send.pk, now=at(4, 11)) == S.SKIPPED
    send.refresh_from_db()
    assert send.reason == "cert_opened"
    assert sms.outbox == []
    tick(at(8, 10), django_capture_on_commit_callbacks)  # days later: not reached any more
    assert sms.outbox == []


def test_a_certificate_revoked_after_planning_is_not_announced(
    world, django_capture_on_commit_callbacks
):
    certificate_rule(world)
    certificate = issued(enrol(world, stalled_since=at(2, 10)), at(2, 10))
    CLOCK.set(at(4, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(4, 10))
    Certificate.objects.filter(pk=certificate.pk).update(status="revoked", revoked_at=at(4, 10))
    send = ReminderSend.objects.get()
    assert services.reminder_send(send_id=send.pk, now=at(4, 11)) == S.SKIPPED
    assert sms.outbox == []


def test_certificate_reminders_keep_the_three_day_and_per_course_caps(
    world, django_capture_on_commit_callbacks
):
    certificate_rule(world)
    issued(enrol(world, stalled_since=at(2, 10)), at(2, 10))
    for day in (4, 5, 6, 7, 10, 13, 16, 19):
        tick(at(day, 10), django_capture_on_commit_callbacks)
    # Days 4, 7 and 10; then the course's 3 are used up.
    assert len(sms.outbox) == 3
    assert ReminderSend.objects.filter(reason="course_cap").exists()


def test_the_sign_in_link_of_a_certificate_reminder_opens_my_learning_for_its_learner(
    world, client, django_capture_on_commit_callbacks
):
    certificate_rule(world)
    enrollment = enrol(world, stalled_since=at(2, 10))
    certificate = issued(enrollment, at(2, 10))
    tick(at(4, 11), django_capture_on_commit_callbacks)
    token = sms.outbox[0].message.split("/r/")[1].strip("/")
    used = sign_in_link_use(token=token, now=at(4, 12))
    assert used.user_id == enrollment.learner_id
    client.force_login(enrollment.learner)
    page = client.get(used.next_path.split("#")[0])
    assert f'id="certificate-{certificate.code}"'.encode() in page.content


# --- preview, planning counts, form ---------------------------------------------------------------


def test_preview_and_planning_count_each_new_kind(world, django_capture_on_commit_callbacks):
    quiz_failed = quiz_rule(world)
    cert = certificate_rule(world)
    first, _ = lessons_of(world.course)
    failing = [enrol(world, stalled_since=at(2, 10)) for _ in range(3)]
    for enrollment in failing:
        quiz(enrollment, first, at(2, 10), right=False)
        quiz(enrollment, first, at(2, 11), right=False)
    for _ in range(2):
        issued(enrol(world, stalled_since=at(1, 10)), at(2, 10))
    CLOCK.set(at(4, 10))
    assert selectors.rule_preview(rule=quiz_failed, now=at(4, 10)).targets == 3
    assert selectors.rule_preview(rule=cert, now=at(4, 10)).targets == 2
    assert services.reminders_plan(rule=quiz_failed, now=at(4, 10)) == services.PlanResult(3, 0)
    # The certificate learners are other people: none held by the quiz rule's reminders.
    assert services.reminders_plan(rule=cert, now=at(4, 10)) == services.PlanResult(2, 0)
    assert services.reminders_plan(rule=cert, now=at(4, 10, 1)) == services.PlanResult(0, 0)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_form_offers_each_kind_with_its_suggested_text(world, language):
    campaigns = type(world.campaign).objects.filter(pk=world.campaign.pk)
    cohorts = world.cohort.__class__.objects.none()
    with translation.override(language):
        form = RuleForm(campaigns=campaigns, cohorts=cohorts)
        kinds = dict(form.fields["kind"].choices)
        assert {"quiz_failed", "certificate"} <= set(kinds)
        suggested = form.initial["message"]
        data = {
            "name": "证书",
            "campaign": world.campaign.pk,
            "kind": "certificate",
            "days": 2,
            "message": suggested,  # left as suggested for "stalled"
            "window_start": "09:00",
            "window_end": "18:00",
            "daily_sms": 100,
        }
        bound = RuleForm(data, campaigns=campaigns, cohorts=cohorts)
        assert bound.is_valid(), bound.errors
        text = bound.cleaned_data["message"]
    expected = {
        "zh-hans": "{name}，恭喜您！《{course}》的结业证书已经发放，点这里查看：{link}",
        "en": "{name}, congratulations! Your certificate for “{course}” is ready: {link}",
    }
    assert text == expected[language]
    # A text the officer wrote is kept as written.
    data["message"] = "{name}，证书到了：{link}"
    with translation.override(language):
        bound = RuleForm(data, campaigns=campaigns, cohorts=cohorts)
        assert bound.is_valid()
        assert bound.cleaned_data["message"] == "{name}，证书到了：{link}"


def test_every_suggested_text_is_translated_and_valid():
    from campaigns.reminders.models import MESSAGE_TEMPLATES

    for kind, template in MESSAGE_TEMPLATES.items():
        with translation.override("zh-hans"):
            chinese = str(template)
        with translation.override("en"):
            english = str(template)
        assert chinese != english, kind
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), kind
        for text in (chinese, english):
            ReminderRule(campaign_id=1, name="x", kind=kind, message=text).clean()
