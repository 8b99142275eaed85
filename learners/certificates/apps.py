from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Completion certificates: issuance, rendering, signed credentials and verification."""

    name = "learners.certificates"
    label = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import privacy as registry

        from . import checks  # noqa: F401  (registers the system check)
        from .privacy import certificates_erase, certificates_export

        registry.register_exporter("certificates", certificates_export)
        registry.register_eraser(certificates_erase)
        self._audit_revocations()

    def _audit_revocations(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from .audit import on_certificate_pre_save, on_certificate_saved
        from .models import Certificate

        pre_save.connect(
            on_certificate_pre_save, sender=Certificate, dispatch_uid="audit_revoke_pre"
        )
        post_save.connect(on_certificate_saved, sender=Certificate, dispatch_uid="audit_revoke")
