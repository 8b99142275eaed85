"""Learner pages of the learners room (included under i18n_patterns)."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.my_learning, name="learners_my_learning"),
    path("learn/courses/<int:course_id>/start/", views.course_start, name="learners_course_start"),
    path("learn/lessons/<int:lesson_id>/read/", views.lesson_read, name="learners_lesson_read"),
    path("learn/lessons/<int:lesson_id>/quiz/", views.lesson_quiz, name="learners_lesson_quiz"),
    path("offline/", views.offline, name="learners_offline"),
]
