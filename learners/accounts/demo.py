"""Demo data of the accounts room: the demo learner's profile, consented, with a phone number."""

from django.conf import settings
from django.contrib.auth import get_user_model

from core.demo import load_accounts

from . import services
from .models import LearnerProfile

DEMO_LEARNER_PHONE = "+8613800138000"


def load(stdout) -> None:
    """Give the demo learner a profile (name, phone, consent to the current notice). Idempotent."""
    load_accounts()
    learner = get_user_model().objects.get(username="learner")
    profile = LearnerProfile.objects.filter(user=learner).first()
    if profile is None or not profile.phone:
        services.profile_set_phone(user=learner, phone=DEMO_LEARNER_PHONE, verified=True)
        services.profile_update(user=learner, display_name=learner.first_name or "李秀英")
    if LearnerProfile.objects.get(user=learner).consent_version != settings.CONSENT_VERSION:
        services.consent_record(user=learner, language="zh-hans")
    stdout.write(f"  demo learner phone: {DEMO_LEARNER_PHONE} (sign in by SMS code)\n")
