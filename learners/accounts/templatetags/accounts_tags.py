"""Template helpers of the accounts room."""

from django import template
from django.conf import settings

from core.phone import mask_phone

register = template.Library()


# 138****5678: enough for a learner to recognise their number, little for anyone else.
register.filter("mask_phone", mask_phone)


@register.simple_tag
def consent_version() -> str:
    """The version of the privacy notice currently in force."""
    return settings.CONSENT_VERSION
