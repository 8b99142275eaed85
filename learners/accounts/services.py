"""Writes of learner accounts: phone, profile, consent, registration by a trainer, erasure."""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core import privacy
from core.phone import normalise_phone
from learners.changes import learners_changed

from .models import ConsentRecord, LearnerProfile

PHONE_TAKEN = _("This mobile number already belongs to another account.")
NAME_REQUIRED = _("Enter the learner's name.")
VILLAGE_CODE_INVALID = _("A village code has exactly 12 digits.")

CONSENT_TEMPLATE = "accounts/includes/consent_notice.html"


def username_generate() -> str:
    """A random username: learners never see or type it, and it carries no personal data."""
    return f"u{secrets.token_hex(6)}"


def _profile(user: AbstractBaseUser) -> LearnerProfile:
    profile, _created = LearnerProfile.objects.get_or_create(user=user)
    return profile


def _check_village_code(village_code: str) -> str:
    village_code = (village_code or "").strip()
    if village_code and not (len(village_code) == 12 and village_code.isdigit()):
        raise ValidationError({"village_code": VILLAGE_CODE_INVALID})
    return village_code


@transaction.atomic
def profile_set_phone(*, user: AbstractBaseUser, phone: str, verified: bool) -> LearnerProfile:
    """Store the user's mobile number (E.164) and whether it has been verified by a code."""
    phone = normalise_phone(phone)
    holder = LearnerProfile.objects.filter(phone=phone).exclude(user=user).exists()
    if holder:
        raise ValidationError({"phone": PHONE_TAKEN})
    profile = _profile(user)
    profile.phone = phone
    profile.phone_verified = verified
    profile.save(update_fields=["phone", "phone_verified", "updated_at"])
    return profile


def profile_mark_phone_verified(*, user: AbstractBaseUser, phone: str) -> None:
    """Mark the user's number as verified (a code sent to it was entered correctly)."""
    LearnerProfile.objects.filter(user=user, phone=normalise_phone(phone)).update(
        phone_verified=True, updated_at=timezone.now()
    )


def profile_update(*, user: AbstractBaseUser, **fields: Any) -> LearnerProfile:
    """Change the learner's name, village code and preferences."""
    allowed = {
        "display_name",
        "village_code",
        "language",
        "large_text",
        "data_saver",
        "autoplay_narration",
        "reminders_off",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    if "village_code" in fields:
        fields["village_code"] = _check_village_code(fields["village_code"])
    profile = _profile(user)
    moved = "village_code" in fields and fields["village_code"] != profile.village_code
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["user", "registered_by"])
    with transaction.atomic():
        profile.save()
        if moved:  # the learner's region on the dashboards (decision 0095)
            learners_changed([user.pk])
    return profile


def consent_text(*, language: str) -> str:
    """The privacy notice of the current version, as shown to the learner in `language`."""
    with translation.override(language):
        return render_to_string(CONSENT_TEMPLATE)


@transaction.atomic
def consent_record(*, user: AbstractBaseUser, language: str) -> ConsentRecord:
    """Record that the user agreed to the current notice (version, time and a hash of the text)."""
    now = timezone.now()
    digest = hashlib.sha256(consent_text(language=language).encode("utf-8")).hexdigest()
    profile = _profile(user)
    profile.consent_version = settings.CONSENT_VERSION
    profile.consented_at = now
    profile.save(update_fields=["consent_version", "consented_at", "updated_at"])
    return ConsentRecord.objects.create(
        user=user,
        version=settings.CONSENT_VERSION,
        text_sha256=digest,
        language=language,
        at=now,
    )


def learner_register(
    *, name: str, phone: str, registered_by: AbstractBaseUser, village_code: str = ""
) -> AbstractBaseUser:
    """Create a learner (no password; they sign in by SMS code); idempotent on the phone number."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": NAME_REQUIRED})
    phone = normalise_phone(phone)
    village_code = _check_village_code(village_code)
    existing = LearnerProfile.objects.filter(phone=phone).select_related("user").first()
    if existing is not None:
        return existing.user
    try:
        with transaction.atomic():
            user = get_user_model()(username=username_generate())
            user.set_unusable_password()
            user.save()
            LearnerProfile.objects.create(
                user=user,
                display_name=name,
                phone=phone,
                village_code=village_code,
                registered_by=registered_by,
            )
    except IntegrityError:
        # Another request registered the same number at the same moment: theirs stands.
        return LearnerProfile.objects.select_related("user").get(phone=phone).user
    return user


@dataclass(frozen=True)
class BulkRegistration:
    """What `learners_register_many` did: the user id of every phone, and how many are new."""

    user_ids: dict[str, int]
    created: int


def learners_register_many(
    *, learners: Sequence[tuple[str, str, str]], registered_by: AbstractBaseUser | None
) -> BulkRegistration:
    """`learner_register` for many (name, phone, village code) at once; idempotent on the phone.

    Learners already registered with a phone are matched, never doubled; the others get a user
    and a profile in two bulk inserts. A number registered concurrently by someone else keeps
    that registration (the user made here for it is removed). Callers pass chunks of at most a
    few thousand rows; the query count per call is constant.
    """
    wanted: dict[str, tuple[str, str]] = {}
    for name, phone, village_code in learners:
        name = (name or "").strip()
        if not name:
            raise ValidationError({"name": NAME_REQUIRED})
        wanted.setdefault(normalise_phone(phone), (name, _check_village_code(village_code)))
    User = get_user_model()
    with transaction.atomic():
        user_ids = dict(
            LearnerProfile.objects.filter(phone__in=list(wanted)).values_list("phone", "user_id")
        )
        # Sorted: two overlapping imports insert (and wait on) the same numbers in the same
        # order, so they queue behind each other instead of deadlocking.
        new_phones = sorted(phone for phone in wanted if phone not in user_ids)
        unusable = make_password(None)
        users = User.objects.bulk_create(
            [User(username=username_generate(), password=unusable) for _phone in new_phones]
        )
        LearnerProfile.objects.bulk_create(
            [
                LearnerProfile(
                    user_id=user.pk,
                    display_name=wanted[phone][0],
                    phone=phone,
                    village_code=wanted[phone][1],
                    registered_by=registered_by,
                )
                for phone, user in zip(new_phones, users, strict=True)
            ],
            ignore_conflicts=True,
        )
        holders = dict(
            LearnerProfile.objects.filter(phone__in=new_phones).values_list("phone", "user_id")
        )
        lost = [u.pk for p, u in zip(new_phones, users, strict=True) if holders.get(p) != u.pk]
        if lost:
            User.objects.filter(pk__in=lost).delete()
    user_ids.update(holders)
    return BulkRegistration(user_ids=user_ids, created=len(users) - len(lost))


@transaction.atomic
def account_erase(*, user: AbstractBaseUser) -> None:
    """Delete the learner's personal data; the user row stays, anonymised and disabled."""
    for eraser in privacy.erasers():
        eraser(user)
    # Their events and village are gone: the dashboards recount them (decision 0095).
    learners_changed([user.pk])
    LearnerProfile.objects.filter(user=user).delete()
    ConsentRecord.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    # Sign-in sessions (IP address, browser) and second factors are personal data too.
    for session in UserSession.objects.filter(user=user):
        session.end()
    Authenticator.objects.filter(user=user).delete()
    user.username = f"deleted-{secrets.token_hex(8)}"
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    # A new (unusable) password hash invalidates every session this user still has.
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
