"""allauth customised for farmers: mainland mobile numbers, SMS codes, consent at sign-up."""

from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.internal.flows import phone_verification
from allauth.account.stages import PhoneVerificationStage
from allauth.account.utils import user_username
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.httpkit import headed_redirect_response
from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.translation import get_language, gettext, gettext_noop

from core.links import site_url
from core.phone import normalise_phone

from . import selectors, services
from .sms import send_sms

QUIET_MESSAGES = {
    "account/messages/login_code_sent.txt",
    "account/messages/phone_verification_sent.txt",
}
SMS_CODE = gettext_noop(
    "[Digital Village Classroom] Your code is %(code)s. It is valid for %(minutes)s minutes. "
    "Never tell it to anyone."
)
SMS_UNKNOWN = gettext_noop(
    "[Digital Village Classroom] No account uses this number yet. Sign up here: %(url)s"
)
SMS_EXISTS = gettext_noop(
    "[Digital Village Classroom] This number already has an account. "
    "Sign in with an SMS code: %(url)s"
)


CODE_REQUIRED = "sign_in_by_code"


class LearnerPhoneVerificationStage(PhoneVerificationStage):
    """Verify a phone at login only for users who have one: staff sign in by username alone."""

    def handle(self):
        user = self.login.user
        if user is None and self.login.signup and self.login.phone:
            # Sign-up with a number that already has an account: allauth would text a link with
            # no code. Turn it into a sign-in of that account by SMS code instead: the number's
            # owner gets a code, the page is the same one a new number gets (no registration
            # oracle), and whoever typed the number gains nothing without the code (decision 0111).
            existing = get_adapter().get_user_by_phone(self.login.phone)
            if existing is not None and existing.is_active:
                self.login.user = user = existing
                self.login.signup = False
                self.state[CODE_REQUIRED] = True
        if self.state.get(CODE_REQUIRED):
            # Even though the number is verified on the account, this sign-in must prove it:
            # never skip the code, however often the stage is handled.
            phone_verification.PhoneVerificationStageProcess.initiate(
                stage=self, phone=self.login.phone
            )
            return headed_redirect_response("account_verify_phone"), True
        if user is not None:
            profile = selectors.profile_for_user(user=user)
            if profile is None or not profile.phone:
                return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    """Phone storage on LearnerProfile, SMS through learners.accounts.sms, random usernames."""

    # --- phone numbers ----------------------------------------------------------------------------
    def clean_phone(self, phone: str) -> str:
        try:
            return normalise_phone(phone)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages, code="invalid_phone") from exc

    def phone_form_field(self, **kwargs: Any) -> Any:
        from .forms import MainlandPhoneField

        # allauth labels it "Phone"; farmers read "Mobile number" (手机号) everywhere.
        kwargs.pop("label", None)
        return MainlandPhoneField(**kwargs)

    def set_phone(self, user: AbstractBaseUser, phone: str, verified: bool) -> None:
        services.profile_set_phone(user=user, phone=phone, verified=verified)

    def get_phone(self, user: AbstractBaseUser) -> tuple[str, bool] | None:
        profile = selectors.profile_for_user(user=user)
        if profile is None or not profile.phone:
            return None
        return profile.phone, profile.phone_verified

    def set_phone_verified(self, user: AbstractBaseUser, phone: str) -> None:
        services.profile_mark_phone_verified(user=user, phone=phone)

    def get_user_by_phone(self, phone: str) -> AbstractBaseUser | None:
        return selectors.user_by_phone(phone=phone)

    # --- text messages ----------------------------------------------------------------------------
    def _absolute(self, urlname: str) -> str:
        # The configured public address, never the request's Host header (decision 0072).
        return site_url(reverse(urlname))

    def send_verification_code_sms(
        self, user: AbstractBaseUser, phone: str, code: str, **kwargs: Any
    ) -> None:
        minutes = (
            max(account_settings.LOGIN_BY_CODE_TIMEOUT, account_settings.PHONE_VERIFICATION_TIMEOUT)
            // 60
        )
        send_sms(phone, gettext(SMS_CODE) % {"code": code, "minutes": minutes})

    def send_unknown_account_sms(self, phone: str, **kwargs: Any) -> None:
        send_sms(phone, gettext(SMS_UNKNOWN) % {"url": self._absolute("account_signup")})

    def send_account_already_exists_sms(self, phone: str) -> None:
        send_sms(phone, gettext(SMS_EXISTS) % {"url": self._absolute("account_request_login_code")})

    def generate_phone_verification_code(self, *, user: AbstractBaseUser, phone: str) -> str:
        # Six digits: easy to type on a phone keypad.
        from allauth.core.internal.cryptokit import generate_user_code

        return generate_user_code(length=6, numeric=True, dashed=False)

    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ) -> None:
        # The code page itself says where the code went (masked); allauth's flash message would
        # repeat it with the whole number.
        if message_template in QUIET_MESSAGES:
            return
        super().add_message(
            request, level, message_template, message_context, extra_tags, message=message
        )

    # --- users ----------------------------------------------------------------------------------
    def populate_username(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        if not user_username(user):
            user_username(user, services.username_generate())

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        data = form.cleaned_data
        if commit and "display_name" in data:
            services.profile_update(
                user=user, display_name=data["display_name"], language=_language()
            )
        if commit and data.get("consent"):
            services.consent_record(user=user, language=_language())
        return user

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Land in the learner's own language (their profile), whatever the sign-in page's was.
        url = super().get_login_redirect_url(request)
        profile = selectors.profile_for_user(user=request.user)
        if profile is not None and profile.language:
            url = translate_url(url, profile.language)
        return url

    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        original = "allauth.account.stages.PhoneVerificationStage"
        replacement = "learners.accounts.adapter.LearnerPhoneVerificationStage"
        return [replacement if path == original else path for path in stages]

    # --- rate limits ------------------------------------------------------------------------------
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth answers a locked-out account with a form error; we answer 429 so that clients
        # and monitoring see the lock (issue 8: the 6th failed login within 5 minutes → 429).
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError as exc:
            if exc.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(ratelimit.respond_429(request)) from exc
            raise


def _language() -> str:
    language = get_language() or settings.LANGUAGE_CODE
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE
