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
        self._keep_office_collections()
        # Certificates are scoped by the same rule as every campaigns read (decision 0090).
        register_region_scope(user_scope)

    def _keep_office_collections(self) -> None:
        """Each office's collection and group follow the office and its members (decision 0120)."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .models import ProgramOffice
        from .services import office_media

        post_save.connect(
            office_media.office_saved, sender=ProgramOffice, dispatch_uid="office_saved"
        )
        post_delete.connect(
            office_media.office_deleted, sender=ProgramOffice, dispatch_uid="office_deleted"
        )
        m2m_changed.connect(
            office_media.office_members_changed,
            sender=ProgramOffice.members.through,
            dispatch_uid="office_members_changed",
        )
