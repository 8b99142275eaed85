"""Admin URLs and the menu item of training sessions (loaded by campaigns.wagtail_hooks)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

app_name = "training_sessions"

urlpatterns = [
    path("", admin_views.SessionListView.as_view(), name="index"),
    path("new/", admin_views.SessionCreateView.as_view(), name="new"),
    path("<int:pk>/", admin_views.SessionDetailView.as_view(), name="detail"),
    path("<int:pk>/code/", admin_views.SessionCodeView.as_view(), name="code"),
    path("<int:pk>/tick/", admin_views.session_tick, name="tick"),
    path("<int:pk>/walk-in/", admin_views.session_walk_in, name="walk_in"),
    path("<int:pk>/attendance.json", admin_views.session_attendance_sync, name="sync"),
    path("figures/<int:pk>/", admin_views.SessionFiguresView.as_view(), name="figures"),
    path("report/<int:pk>/", admin_views.MonthlyReportView.as_view(), name="report"),
    path(
        "report/<int:pk>/download.<str:fmt>",
        admin_views.monthly_report_download,
        name="report_download",
    ),
]


@hooks.register("register_admin_urls")
def register_training_session_urls():
    return [
        path(
            "training-sessions/",
            include((urlpatterns, app_name), namespace="training_sessions"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_training_session_menu_item():
    return MenuItem(
        _("Training sessions"),
        reverse("training_sessions:index"),
        icon_name="date",
        order=255,
    )
