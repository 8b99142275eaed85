"""Course pages are rendered once for every learner; each learner's state is filled in per request.

Issue 18 ("signed-in pages as cheap as anonymous ones"), decision 0175: the learner-independent
shell of a lesson, course and catalog page is cached per published revision, language and tier,
and forgotten on publish, unpublish and move; progress, enrollment, quiz feedback and CSRF tokens
never enter it.
"""

import re
from pathlib import Path
from uuid import uuid4

import pytest
from django.utils import timezone
from wagtail.models import Page

from learners.services import progress_record
from tests.learners.factories import learner, lessons_of, make_course

pytestmark = pytest.mark.django_db

SHELLS = {
    "lesson": "courses/includes/lesson_shell.html",
    "course": "courses/includes/course_shell.html",
    "catalog": "courses/includes/catalog_shell.html",
}


def rendered(response) -> set[str]:
    return {t.name for t in response.templates}


def csrf_token(html: str) -> str | None:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match and match[1]


@pytest.fixture
def course():
    return make_course(lessons=3, questions=2, title="防骗课")


def complete(user, lesson) -> None:
    """The learner read `lesson` and passed its quiz (through the one progress write path)."""
    from courses.selectors import lesson_quiz_key

    right = {qid: sorted(key.correct) for qid, key in lesson_quiz_key(lesson).items()}
    event = {"lesson": lesson.pk, "at": timezone.now().isoformat()}
    progress_record(
        learner=user,
        events=[
            {**event, "id": str(uuid4()), "kind": "opened", "data": {}},
            {**event, "id": str(uuid4()), "kind": "read", "data": {}},
            {**event, "id": str(uuid4()), "kind": "quiz", "data": {"answers": right}},
        ],
    )


@pytest.mark.parametrize("kind", ["lesson", "course", "catalog"])
def test_a_second_learner_gets_the_page_without_rendering_it_again(client, course, kind):
    url = {"lesson": lessons_of(course)[1].url, "course": course.url, "catalog": "/courses/"}[kind]
    client.force_login(learner(enrolled_in=course))
    assert SHELLS[kind] in rendered(client.get(url))
    client.force_login(learner())
    second = client.get(url)
    assert second.status_code == 200
    assert SHELLS[kind] not in rendered(second)


def test_each_learner_sees_their_own_state_in_the_shared_lesson(client, course):
    lesson = lessons_of(course)[1]
    enrolled = learner(enrolled_in=course)
    complete(enrolled, lesson)
    client.force_login(enrolled)
    mine = client.get(lesson.url).content.decode()
    client.force_login(learner())
    theirs = client.get(lesson.url).content.decode()
    # The enrolled learner: their progress, the lesson marked done, the quiz form to submit.
    assert 'value="33"' in mine and "<strong>✓" in mine and 'id="quiz-form"' in mine
    assert 'data-records="1"' in mine
    # The other learner, served the same shell: no progress of anyone's, asked to start.
    assert 'value="0"' in theirs and 'id="quiz-form"' not in theirs
    assert "start-course" in theirs and 'data-records="0"' in theirs


def test_the_shared_shells_hold_no_csrf_token_and_nothing_about_the_learner(client, course):
    user = learner(enrolled_in=course)
    complete(user, lessons_of(course)[0])
    client.force_login(user)
    for url in ["/courses/", course.url, *(lesson.url for lesson in lessons_of(course))]:
        response = client.get(url)
        shell = response.context["shell"].html
        assert "csrfmiddlewaretoken" not in shell
        assert "<progress" not in shell and 'class="done"' not in shell
        assert user.get_username() not in shell
        # What the learner is shown has their state in it (the fragments in the slots).
        assert "<progress" in response.content.decode()


def test_the_csrf_token_in_a_lesson_form_is_the_learners_own(client, course):
    lesson = lessons_of(course)[0]
    client.force_login(learner(enrolled_in=course))
    first = csrf_token(client.get(lesson.url).content.decode())
    client.force_login(learner(enrolled_in=course))
    second = csrf_token(client.get(lesson.url).content.decode())
    assert first and second and first != second


def test_quiz_feedback_is_shown_to_its_learner_only_and_not_kept(client, course):
    lesson = lessons_of(course)[0]
    client.force_login(learner(enrolled_in=course))
    # Form fields are named by question block id; choice 0 is right for the first question only.
    answers = {child.id: "0" for child in lesson.quiz}
    feedback_url = client.post(f"/learn/lessons/{lesson.pk}/quiz/", answers)["Location"]
    with_feedback = client.get(feedback_url).content.decode()
    assert 'class="feedback is-right"' in with_feedback
    assert 'class="feedback is-wrong"' in with_feedback
    # The same lesson without the attempt, and another learner with its link: no feedback.
    assert "feedback is-" not in client.get(lesson.url).content.decode()
    client.force_login(learner(enrolled_in=course))
    assert "feedback is-" not in client.get(feedback_url).content.decode()


def test_publishing_a_lesson_shows_at_once_on_its_page_and_its_course(client, course):
    second = lessons_of(course)[1]
    client.force_login(learner(enrolled_in=course))
    client.get(second.url), client.get(course.url)  # both shells cached
    second.title = "识别诈骗电话"
    second.save_revision().publish()
    assert "识别诈骗电话" in client.get(second.url).content.decode()
    assert "识别诈骗电话" in client.get(course.url).content.decode()


def test_unpublishing_a_lesson_removes_it_from_the_course_and_its_neighbours(client, course):
    first, second, third = lessons_of(course)
    client.force_login(learner(enrolled_in=course))
    assert second.url in client.get(course.url).content.decode()
    assert f'href="{second.url}" rel="next"' in client.get(first.url).content.decode()
    second.unpublish()
    after = client.get(course.url).content.decode()
    assert second.url not in after and third.url in after
    assert f'href="{third.url}" rel="next"' in client.get(first.url).content.decode()


def test_moving_a_lesson_to_another_course_shows_on_both_courses(client, course):
    other = make_course(lessons=1, questions=1, title="网上卖货")
    moving = lessons_of(course)[2]
    client.force_login(learner(enrolled_in=course))
    client.get(course.url), client.get(other.url), client.get(lessons_of(course)[1].url)
    moving.move(other, pos="last-child")
    moving = Page.objects.get(pk=moving.pk).specific
    assert moving.url.startswith(other.url)
    assert moving.url in client.get(other.url).content.decode()
    assert f"/{moving.slug}/" not in client.get(course.url).content.decode()
    # The lesson that was second-to-last in the old course is its last now.
    now_last = client.get(lessons_of(course)[1].url).content.decode()
    assert 'rel="next"' not in now_last
    moved = client.get(moving.url).content.decode()
    assert "网上卖货" in moved


def test_a_preview_of_a_draft_is_never_served_from_or_into_the_cache(client, course):
    lesson = lessons_of(course)[0]
    assert "第1课" in client.get(lesson.url).content.decode()  # the live shell is cached
    lesson.title = "草稿标题"
    preview = lesson.make_preview_request()
    assert "草稿标题" in preview.render().content.decode()
    live = client.get(lesson.url).content.decode()
    assert "草稿标题" not in live and "第1课" in live


def test_course_templates_name_no_room_above_them():
    """Issue 17: courses renders its pages and exposes slots; it never includes learners."""
    root = Path(__file__).resolve().parents[2] / "courses"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        if re.search(r"learners/|learner_tags|campaigns/|campaign_tags", text):
            offenders.append(str(path.relative_to(root)))
    for path in root.rglob("*.py"):
        if re.search(r"^\s*(from|import) (learners|campaigns|cms)\b", path.read_text(), re.M):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_the_lessons_answer_key_carries_chinese_as_characters_and_cannot_end_its_block(
    client, course
):
    """The key gives instant feedback offline (decision 0027). Written as UTF-8 without spaces it
    is half the bytes of `\\uXXXX` escapes; `<`, `>` and `&` stay escaped, so no text an author
    types can close the script block."""
    import json

    lesson = lessons_of(course)[0]
    lesson.quiz[0].value["explanation"] = "别点</script><b>链接</b> & 密码"
    lesson.save_revision().publish()
    client.force_login(learner())
    html = client.get(lesson.url).content.decode()
    block = re.search(r'<script id="quiz-key" type="application/json">(.*?)</script>', html, re.S)
    assert "反馈0" in block[1] and "\\u53cd" not in block[1] and ", " not in block[1]
    assert "<" not in block[1] and ">" not in block[1] and "&" not in block[1]
    key = json.loads(block[1])
    assert "别点</script><b>链接</b> & 密码" in json.dumps(key, ensure_ascii=False)
