"""Reads of learner accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from .models import LearnerProfile

_REQUEST_CACHE = "_learner_profile_cache"


def profile_for_user(*, user: AbstractBaseUser) -> LearnerProfile | None:
    """The user's profile, or None for users who have none (staff, new demo accounts)."""
    if not user.is_authenticated:
        return None
    return LearnerProfile.objects.filter(user=user).first()


def profile_for_request(request: HttpRequest) -> LearnerProfile | None:
    """The signed-in user's profile, read at most once per request."""
    if not hasattr(request, _REQUEST_CACHE):
        user = getattr(request, "user", None)
        profile = profile_for_user(user=user) if user is not None else None
        setattr(request, _REQUEST_CACHE, profile)
    return getattr(request, _REQUEST_CACHE)


def user_by_phone(*, phone: str) -> AbstractBaseUser | None:
    """The active user holding this E.164 number, if any."""
    return (
        get_user_model()
        .objects.filter(learner_profile__phone=phone, is_active=True)
        .select_related("learner_profile")
        .first()
    )


def personal_data_collect(*, user: AbstractBaseUser) -> dict:
    """Everything stored about `user`: the account's own data, then each registered room's."""
    from core import privacy

    from .models import ConsentRecord

    profile = LearnerProfile.objects.filter(user=user).first()
    account = {
        "username": user.get_username(),
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "profile": None,
        "consents": [
            {
                "version": r.version,
                "at": r.at.isoformat(),
                "language": r.language,
                "text_sha256": r.text_sha256,
            }
            for r in ConsentRecord.objects.filter(user=user)
        ],
    }
    if profile is not None:
        account["profile"] = {
            "display_name": profile.display_name,
            "phone": profile.phone,
            "phone_verified": profile.phone_verified,
            "village_code": profile.village_code,
            "language": profile.language,
            "large_text": profile.large_text,
            "data_saver": profile.data_saver,
            "autoplay_narration": profile.autoplay_narration,
            "consent_version": profile.consent_version,
            "consented_at": profile.consented_at.isoformat() if profile.consented_at else None,
            "created_at": profile.created_at.isoformat(),
        }
    from allauth.usersessions.models import UserSession

    account["sessions"] = [
        {
            "ip": session.ip,
            "user_agent": session.user_agent,
            "created_at": session.created_at.isoformat(),
            "last_seen_at": session.last_seen_at.isoformat(),
        }
        for session in UserSession.objects.filter(user=user).order_by("created_at")
    ]
    data = {"account": account}
    for section, exporter in privacy.exporters().items():
        data[section] = exporter(user)
    return data


def user_display(user: AbstractBaseUser) -> str:
    """How allauth names the user ("signed in as …"): their name, else their masked number.

    Learners never see the internal username (`uab09c61b1967`); staff, who have no profile, are
    named by their username.
    """
    from core.phone import mask_phone

    profile = LearnerProfile.objects.filter(user=user).only("display_name", "phone").first()
    if profile is not None:
        if profile.display_name:
            return profile.display_name
        if profile.phone:
            return mask_phone(profile.phone)
    return user.get_username()
