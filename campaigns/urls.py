"""Learner URLs of the campaigns room (mounted inside i18n_patterns)."""

from django.urls import path

from . import views

urlpatterns = [
    path("join/", views.join_form, name="campaigns_join_form"),
    path("join/<str:code>/", views.join, name="campaigns_join"),
]
