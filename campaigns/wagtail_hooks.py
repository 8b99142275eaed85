"""Register the campaigns screens in the Wagtail admin."""

from wagtail import hooks

from .viewsets import CampaignsGroup


@hooks.register("register_admin_viewset")
def register_campaigns_viewsets():
    return CampaignsGroup()
