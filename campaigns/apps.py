from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from core import privacy as registry

        from .privacy import campaigns_erase

        registry.register_eraser(campaigns_erase)
        self._keep_office_collections()
        self._audit_exports()

    def _audit_exports(self) -> None:
        """Every export a user starts is in the audit log, whichever path saved it."""
        from django.db.models.signals import post_save

        from .audit import on_export_log_saved
        from .models import ExportLog

        post_save.connect(on_export_log_saved, sender=ExportLog, dispatch_uid="audit_export")

    def _keep_office_collections(self) -> None:
        """Each office's collection and group follow the office and its members (decision 0120)."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from core.models import ProgramOffice

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
