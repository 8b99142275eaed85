"""Single-use sign-in links sent by SMS (course reminders): make one, use it once, before expiry.

The token is 16 random bytes (22 URL-safe characters); the table keeps its SHA-256 only. Following
the link shows a page with a button: the sign-in happens on POST, so a chat app or phone that
fetches the link to preview it does not use it up (decision 0106).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from .models import LearnerProfile, SignInLink

LINK_LIFETIME = timedelta(days=7)
LINK_USED_OR_EXPIRED = _(
    "This link has already been used or has expired. Sign in with your mobile number and an SMS "
    "code instead."
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def sign_in_link_create(
    *, user: AbstractBaseUser, next_path: str, now: datetime | None = None
) -> str:
    """Make a link for `user` that opens `next_path` (a path on this site); returns its full URL."""
    if not url_has_allowed_host_and_scheme(
        next_path, allowed_hosts=None
    ) or not next_path.startswith("/"):
        raise ValueError(f"not a local path: {next_path!r}")
    now = now or timezone.now()
    token = secrets.token_urlsafe(16)
    SignInLink.objects.create(
        user=user,
        token_sha256=_digest(token),
        next_path=next_path,
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    return settings.SITE_URL + reverse("accounts_sign_in_link", args=[token])


def sign_in_link_find(*, token: str) -> SignInLink | None:
    """The link behind `token`, whatever its state, or None."""
    return SignInLink.objects.filter(token_sha256=_digest(token)).select_related("user").first()


def sign_in_link_use(*, token: str, now: datetime | None = None) -> SignInLink | None:
    """Use the link once: its learner and next page, or None if unknown, used, expired or erased.

    Idempotent in the safe direction: of two concurrent uses, only the one whose UPDATE changed the
    row wins (the condition `used_at IS NULL` is in the UPDATE itself).
    """
    now = now or timezone.now()
    with transaction.atomic():
        won = SignInLink.objects.filter(
            token_sha256=_digest(token),
            used_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        ).update(used_at=now)
        if not won:
            return None
        return SignInLink.objects.select_related("user").get(token_sha256=_digest(token))


def reminders_turn_off(*, user: AbstractBaseUser) -> None:
    """The learner's off switch for SMS reminders (from /me/ or from the link in a message)."""
    LearnerProfile.objects.filter(user=user).update(reminders_off=True, updated_at=timezone.now())


def sign_in_links_erase(user: AbstractBaseUser) -> None:
    """Account erasure: the learner's links go with their other personal data."""
    SignInLink.objects.filter(user=user).delete()
