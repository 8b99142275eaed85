"""Learner URLs of the campaigns room (mounted inside i18n_patterns)."""

from django.urls import path

from . import views
from .sessions import views as session_views

urlpatterns = [
    path("join/", views.join_form, name="campaigns_join_form"),
    path("join/<str:code>/", views.join, name="campaigns_join"),
    path("checkin/", session_views.check_in, name="sessions_check_in"),
    path(
        "checkin/<uuid:public_id>/",
        session_views.check_in_session,
        name="sessions_check_in_session",
    ),
]
