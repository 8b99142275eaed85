"""Register the campaigns screens in the Wagtail admin."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .viewsets import CampaignsGroup


class ExportsMenuItem(MenuItem):
    """Shown only to users who may export campaign figures."""

    def is_shown(self, request):
        return request.user.has_perm("core.export_figures")


@hooks.register("register_admin_viewset")
def register_campaigns_viewsets():
    return CampaignsGroup()


@hooks.register("register_admin_menu_item")
def register_exports_menu_item():
    return ExportsMenuItem(
        _("Exports"), reverse("campaigns:exports"), icon_name="download", order=260
    )


# Training sessions register their own admin URLs and menu item (issue 20).
from .sessions import wagtail_hooks as _sessions_hooks  # noqa: E402, F401
