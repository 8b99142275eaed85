"""System checks: a production deployment without a signing key must not start."""

from django.conf import settings
from django.core import checks

from .credential import KEY_MISSING


@checks.register(checks.Tags.security, deploy=False)
def signing_key_configured(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Error when the development key is not allowed and CERTIFICATE_SIGNING_KEY is empty."""
    allowed = getattr(settings, "CERTIFICATE_DEV_KEY_ALLOWED", True)
    if allowed or getattr(settings, "CERTIFICATE_SIGNING_KEY", ""):
        return []
    return [checks.Error(KEY_MISSING, id="certificates.E001")]
