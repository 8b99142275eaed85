"""Template helpers of the accounts room."""

from django import template
from django.conf import settings

from core.phone import mask_phone as _mask_phone

register = template.Library()


@register.filter
def mask_phone(phone: str | None) -> str:
    """138****5678: enough for a learner to recognise their number, little for anyone else."""
    return _mask_phone(phone) if phone else ""


@register.simple_tag
def consent_version() -> str:
    """The version of the privacy notice currently in force."""
    return settings.CONSENT_VERSION
