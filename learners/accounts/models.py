"""Who a learner is: the profile beside Django's user, and the history of their consent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LearnerProfile(models.Model):
    """Personal details and preferences of one user (1–1); removed when the account is deleted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    display_name = models.CharField(pgettext_lazy("person", "name"), max_length=60, blank=True)
    # E.164 (+8613812345678). Null for staff who sign in by username only; unique otherwise.
    phone = models.CharField(_("mobile number"), max_length=16, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(default=False)
    # Official 12-digit administrative division code of the learner's village; the foreign key to
    # campaigns.Region follows once the region tree exists (docs/decisions/0020-learner-accounts).
    village_code = models.CharField(_("village code"), max_length=12, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    large_text = models.BooleanField(_("large text"), default=False)
    data_saver = models.BooleanField(_("data saver"), default=False)
    autoplay_narration = models.BooleanField(_("play narration automatically"), default=False)
    # The learner's off switch for course reminders by SMS (campaigns/reminders), read at send time.
    # db_default: bulk loaders (bench/generate.py) insert profiles without naming this column.
    reminders_off = models.BooleanField(_("no reminders by SMS"), default=False, db_default=False)
    consent_version = models.CharField(max_length=20, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_learners",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner profile")
        verbose_name_plural = _("learner profiles")
        permissions = [("register_learner", "Can register a learner by name and phone")]

    def __str__(self) -> str:
        return self.display_name or str(self.user)


class ConsentRecord(models.Model):
    """One agreement to one version of the privacy notice (append-only history)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records"
    )
    version = models.CharField(max_length=20)
    text_sha256 = models.CharField(max_length=64)
    language = models.CharField(max_length=10)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.user_id} {self.version} {self.at:%Y-%m-%d}"


class SignInLink(models.Model):
    """A single-use link, sent by SMS, that signs one learner in and opens a page (next lesson).

    Only a hash of the token is stored: the database alone cannot be used to sign anyone in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_links"
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    next_path = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.next_path}"
