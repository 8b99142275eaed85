"""Factories for the campaigns room: a region tree, offices, campaigns and cohorts."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from campaigns.services.regions import region_level_from_code
from core.models import Campaign, Cohort, ProgramOffice, Region


def add_region(code: str, name: str, parent: Region | None = None) -> Region:
    """A region under `parent` (or a new root), with its level taken from the code."""
    level = region_level_from_code(code)
    if parent is None:
        return Region.add_root(code=code, name=name, level=level)
    return parent.add_child(code=code, name=name, level=level)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-123456")
    is_active = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class ProgramOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramOffice

    name = factory.Sequence(lambda n: f"Office {n}")
    signatory_name = "Signatory"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    office = factory.SubFactory(ProgramOfficeFactory)
    title = factory.Sequence(lambda n: f"Campaign {n}")
    region = factory.LazyAttribute(lambda o: o.office.region)
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2030, 12, 31)
    target_learners = 100


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")


def make_course(title: str, lessons: int = 3, questions: int = 2):
    """A live course with live lessons, each with single-choice questions (choice q%2 correct)."""
    from wagtail.rich_text import RichText

    from cms.demo import load_site
    from courses.models import CourseIndexPage, CoursePage, LessonPage

    home = load_site()
    index = CourseIndexPage.objects.filter(locale=home.locale).first()
    if index is None:
        index = CourseIndexPage(title="课程", slug="courses")
        home.add_child(instance=index)
        index.save_revision().publish()
    course = CoursePage(title=title, slug=f"c-{CoursePage.objects.count() + 1}", summary="学")
    index.add_child(instance=course)
    course.save_revision().publish()
    for number in range(1, lessons + 1):
        quiz = [
            (
                "single_choice",
                {
                    "prompt": f"{title} 第{number}课 问题{q}",
                    "choices": [
                        {"text": f"选项{i}", "is_correct": i == q % 2, "feedback": ""}
                        for i in range(3)
                    ],
                    "explanation": "",
                },
            )
            for q in range(questions)
        ]
        lesson = LessonPage(
            title=f"{title} 第{number}课",
            slug=f"lesson-{number}",
            estimated_minutes=5,
            body=[("text", RichText(f"<p>第{number}课</p>"))],
            quiz=quiz,
        )
        course.add_child(instance=lesson)
        lesson.save_revision().publish()
    return course
