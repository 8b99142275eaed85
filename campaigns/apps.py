from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from learners.accounts import privacy as registry
        from learners.certificates.services import register_region_scope

        from .privacy import campaigns_erase
        from .selectors import user_scope

        registry.register_eraser(campaigns_erase)
        # Certificates are scoped by the same rule as every campaigns read (decision 0090).
        register_region_scope(user_scope)
