"""Forms of learner accounts: allauth's forms adapted for phones, profile, consent, registration."""

from allauth.account.forms import LoginForm, RequestLoginCodeForm, SignupForm
from allauth.core import context, ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.phone import normalise_phone

from .models import LearnerProfile

CONSENT_REQUIRED = _("Please tick the box to agree, or you cannot use the classroom.")


class MainlandPhoneField(forms.CharField):
    """A mainland China mobile number typed any common way; cleaned to E.164."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "inputmode": "tel",
                    "autocomplete": "tel-national",
                    "placeholder": "138 1234 5678",
                }
            ),
        )
        kwargs.setdefault("help_text", _("The 11-digit number of your own phone."))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        return normalise_phone(value)


class LearnerLoginForm(LoginForm):
    """allauth's login form, keeping the password field that staff and demo accounts use."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username")
        self.fields["login"].widget.attrs.update(
            {"autocomplete": "username", "placeholder": "", "autocapitalize": "none"}
        )

    def _setup_password_field(self) -> None:
        # Learners sign up without a password, which makes allauth drop the field; staff need it.
        self.fields["password"].required = True


class LearnerRequestLoginCodeForm(RequestLoginCodeForm):
    """Ask for a sign-in code; a second request for the same number too soon gets 429."""

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone")
        if phone and not ratelimit.consume(
            context.request, action="request_login_code", key=phone.lower(), dry_run=True
        ):
            raise ImmediateHttpResponse(ratelimit.respond_429(context.request))
        return super().clean_phone()


class LearnerSignupForm(SignupForm):
    """Sign-up with a name, a mobile number and consent to the privacy notice; no password."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=60,
        help_text=_("As it should appear on your certificates."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label=_("I have read the notice above and agree."),
        error_messages={"required": CONSENT_REQUIRED},
    )

    field_order = ["display_name", "phone", "consent"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)


class ConsentForm(forms.Form):
    """Agree to the current version of the privacy notice."""

    consent = forms.BooleanField(
        label=_("I have read the notice above and agree."),
        error_messages={"required": CONSENT_REQUIRED},
    )


class ProfileForm(forms.ModelForm):
    """The learner's own name, village and preferences."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = LearnerProfile
        fields = [
            "display_name",
            "village_code",
            "language",
            "large_text",
            "data_saver",
            "autoplay_narration",
            "reminders_off",
        ]
        labels = {
            "display_name": _("Your name"),
            "village_code": _("Village code (12 digits, optional)"),
            "large_text": _("Large text"),
            "data_saver": _("Data saver: small pictures, no video"),
            "autoplay_narration": _("Play the narration automatically"),
            "reminders_off": _("No reminders by SMS about my courses"),
        }
        widgets = {
            "village_code": forms.TextInput(
                attrs={"inputmode": "numeric", "pattern": "[0-9]{12}", "autocomplete": "off"}
            ),
        }


class RegisterLearnerForm(forms.Form):
    """What a trainer types to register a learner on the spot."""

    name = forms.CharField(label=_("Learner's name"), max_length=60)
    phone = MainlandPhoneField(label=_("Learner's mobile number"), help_text="")
    village_code = forms.CharField(
        label=_("Village code (12 digits, optional)"), max_length=12, required=False
    )

    def clean_village_code(self) -> str:
        code = self.cleaned_data["village_code"].strip()
        if code and not (len(code) == 12 and code.isdigit()):
            raise ValidationError(_("A village code has exactly 12 digits."))
        return code
