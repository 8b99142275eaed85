"""Course trees and learners for the learners tests."""

from django.utils import timezone
from wagtail.rich_text import RichText

from cms.demo import load_site
from courses.models import CourseIndexPage, CoursePage, LessonPage
from learners.services import enrollment_create
from tests.accounts.factories import LearnerProfileFactory


def catalog() -> CourseIndexPage:
    """The course catalog under the home page (created once)."""
    home = load_site()
    index = CourseIndexPage.objects.child_of(home).first()
    if index is None:
        index = CourseIndexPage(title="课程", slug="courses", locale=home.locale)
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def question(prompt: str = "哪个是对的？", correct: int = 0, choices: int = 2) -> tuple:
    """A single-choice question whose choice `correct` is right."""
    return (
        "single_choice",
        {
            "prompt": prompt,
            "choices": [
                {"text": f"选项{i}", "is_correct": i == correct, "feedback": f"反馈{i}"}
                for i in range(choices)
            ],
            "explanation": "因为这样更安全。",
        },
    )


def make_course(
    *, lessons: int = 2, questions: int = 2, title: str = "手机基本技能", pass_mark: int = 60
) -> CoursePage:
    """A live course with `lessons` live lessons, each with two text blocks and a quiz."""
    index = catalog()
    course = CoursePage(
        title=title,
        slug=f"course-{CoursePage.objects.count() + 1}",
        summary="学会用手机。",
        pass_mark=pass_mark,
        locale=index.locale,
    )
    index.add_child(instance=course)
    course.save_revision().publish()
    for number in range(1, lessons + 1):
        lesson = LessonPage(
            title=f"第{number}课",
            slug=f"lesson-{number}",
            estimated_minutes=5,
            body=[
                ("text", RichText(f"<p>第{number}课的第一步。</p>")),
                ("text", RichText(f"<p>第{number}课的第二步。</p>")),
            ],
            quiz=[question(f"问题{q}？", correct=q % 2) for q in range(questions)],
            locale=index.locale,
        )
        course.add_child(instance=lesson)
        lesson.save_revision().publish()
    return course


def lessons_of(course: CoursePage) -> list[LessonPage]:
    """The course's live lessons in order."""
    return list(LessonPage.objects.child_of(course).live().order_by("path"))


def learner(*, enrolled_in: CoursePage | None = None):
    """A learner who agreed to the current notice (and is enrolled in `enrolled_in`)."""
    user = LearnerProfileFactory().user
    if enrolled_in is not None:
        enrollment_create(learner=user, course=enrolled_in)
    return user


def right_answers(lesson: LessonPage) -> dict[str, list[int]]:
    """Every question of `lesson` answered correctly."""
    return {child.id: sorted(child.block.correct_indexes(child.value)) for child in lesson.quiz}


def wrong_answers(lesson: LessonPage) -> dict[str, list[int]]:
    """Every question of `lesson` answered wrongly."""
    return {child.id: [1 - min(child.block.correct_indexes(child.value))] for child in lesson.quiz}


def now_iso() -> str:
    """The current time in ISO 8601."""
    return timezone.now().isoformat()
