from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Completion certificates: issuance, rendering, signed credentials and verification."""

    name = "learners.certificates"
    label = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learners.accounts import privacy as registry

        from . import checks  # noqa: F401  (registers the system check)
        from .privacy import certificates_erase, certificates_export

        registry.register_exporter("certificates", certificates_export)
        registry.register_eraser(certificates_erase)
