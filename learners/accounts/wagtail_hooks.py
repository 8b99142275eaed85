"""Wagtail admin: the "Register a learner" page for trainers."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


class RegisterLearnerMenuItem(MenuItem):
    """Shown only to users who may register learners (Trainers, Administrators)."""

    def is_shown(self, request):
        return request.user.has_perm("accounts.register_learner")


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("learners/register/", views.register_learner, name="accounts_register_learner"),
    ]


@hooks.register("register_admin_menu_item")
def register_learner_menu_item():
    return RegisterLearnerMenuItem(
        _("Register a learner"),
        reverse("accounts_register_learner"),
        icon_name="user",
        order=250,
    )
