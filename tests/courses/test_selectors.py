"""Reads the learner room relies on: lessons in order, the quiz key, and scoring."""

import pytest

from courses.selectors import (
    QuizKey,
    catalog_courses,
    course_for_lesson,
    course_lessons,
    lesson_count,
    lesson_quiz_key,
    score_quiz,
)

from .factories import add_course, add_lesson, catalog, multiple_choice, single_choice, true_false

KEY = {
    "a": QuizKey(kind="single", correct=frozenset({1}), choice_count=3),
    "b": QuizKey(kind="multiple", correct=frozenset({0, 2}), choice_count=4),
    "c": QuizKey(kind="true_false", correct=frozenset({1}), choice_count=2),
    "d": QuizKey(kind="single", correct=frozenset({0}), choice_count=2),
}


def test_all_right_scores_100():
    assert score_quiz(KEY, {"a": [1], "b": [2, 0], "c": [1], "d": [0]}) == 100


def test_a_multiple_choice_answer_counts_only_when_the_sets_are_equal():
    assert score_quiz(KEY, {"a": [1], "b": [0], "c": [1], "d": [0]}) == 75
    assert score_quiz(KEY, {"a": [1], "b": [0, 1, 2], "c": [1], "d": [0]}) == 75


def test_unanswered_questions_count_as_wrong():
    assert score_quiz(KEY, {"a": [1]}) == 25
    assert score_quiz(KEY, {}) == 0


def test_unknown_question_id_is_refused():
    with pytest.raises(ValueError, match="unknown question id"):
        score_quiz(KEY, {"zzz": [0]})


@pytest.mark.parametrize("index", [-1, 3, True, "1"])
def test_out_of_range_or_non_integer_choice_is_refused(index):
    with pytest.raises(ValueError, match="out of range"):
        score_quiz(KEY, {"a": [index]})


@pytest.mark.django_db
def test_quiz_key_is_keyed_by_block_id_with_kinds_and_correct_indexes():
    course = add_course(catalog())
    lesson = add_lesson(
        course,
        quiz=[single_choice(correct_index=2), multiple_choice(correct=(0, 3)), true_false()],
    )
    key = lesson_quiz_key(lesson)
    ids = [block.id for block in lesson.quiz]
    assert list(key) == ids
    assert key[ids[0]] == QuizKey("single", frozenset({2}), 3)
    assert key[ids[1]] == QuizKey("multiple", frozenset({0, 3}), 4)
    assert key[ids[2]] == QuizKey("true_false", frozenset({1}), 2)


@pytest.mark.django_db
def test_course_lessons_are_live_in_tree_order_in_one_query(django_assert_num_queries):
    course = add_course(catalog())
    first = add_lesson(course, title="one")
    add_lesson(course, title="draft", publish=False)
    third = add_lesson(course, title="three")
    with django_assert_num_queries(1):
        lessons = course_lessons(course)
    assert [lesson.pk for lesson in lessons] == [first.pk, third.pk]
    assert lesson_count(course) == 2
    assert course_for_lesson(third).pk == course.pk


@pytest.mark.django_db
def test_catalog_counts_live_lessons_in_one_query(django_assert_num_queries):
    index = catalog()
    course = add_course(index)
    add_lesson(course)
    add_lesson(course, publish=False)
    with django_assert_num_queries(1):
        courses = list(catalog_courses(index=index))
    assert [(c.pk, c.live_lesson_count) for c in courses] == [(course.pk, 1)]
