"""Admin URLs and menu items of the reminders."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

app_name = "reminders"

urlpatterns = [
    path("", admin_views.RuleListView.as_view(), name="index"),
    path("new/", admin_views.RuleFormView.as_view(), name="new"),
    path("<int:pk>/", admin_views.RuleDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", admin_views.RuleFormView.as_view(), name="edit"),
    path("<int:pk>/toggle/", admin_views.rule_toggle, name="toggle"),
    path("calls/", admin_views.CallListView.as_view(), name="calls"),
]


@hooks.register("register_admin_urls")
def register_reminder_urls():
    return [path("reminders/", include((urlpatterns, app_name), namespace="reminders"))]


@hooks.register("register_admin_menu_item")
def register_reminders_menu_item():
    return MenuItem(_("Reminders"), reverse("reminders:index"), icon_name="mail", order=256)


@hooks.register("register_admin_menu_item")
def register_call_list_menu_item():
    return MenuItem(_("Call list"), reverse("reminders:calls"), icon_name="user", order=257)
