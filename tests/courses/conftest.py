"""Shared course fixtures."""

import pytest

from .factories import add_course, add_lesson, catalog


@pytest.fixture
def course(db):
    """A published course with two clean lessons."""
    course = add_course(catalog(), title="手机基本技能")
    add_lesson(course, title="第一课")
    add_lesson(course, title="第二课")
    return course
