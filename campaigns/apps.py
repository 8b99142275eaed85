from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from learners.accounts import privacy as registry

        from .privacy import campaigns_erase

        registry.register_eraser(campaigns_erase)
