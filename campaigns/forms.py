"""Admin forms whose choices are narrowed to what the signed-in user may see."""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page

from .codes import new_join_code, normalise_join_code
from .models import JOIN_CODE_RULE, Region
from .selectors import campaigns_visible, offices_visible, regions_visible, trainers_choosable

REGION_CODE_HELP = _("The 12-digit division code of a region inside your office's region.")
REGION_NOT_FOUND = _("No region with this code in your region.")
VILLAGE_CODE_HELP = _("The 12-digit division code of the cohort's village.")
JOIN_CODE_HELP = _(
    "Learners type this code or scan its QR code to join. %(rule)s A free code you may use: "
    "%(code)s"
)


class RegionCodeField(forms.ModelChoiceField):
    """A region typed as its 12-digit code (a drop-down of 700,000 villages helps nobody)."""

    default_error_messages = {"invalid_choice": REGION_NOT_FOUND}

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "size": 14}))
        super().__init__(queryset, to_field_name="code", **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return Region.objects.filter(pk=value).values_list("code", flat=True).first()
        return super().prepare_value(value)


def one_per_course(courses):
    """Each course once, whatever its translations: its page in the default language (the one
    progress and certificates are kept on, decision 0071), or its only page when it has none."""
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    in_default = Page.objects.filter(locale__language_code=language).values("translation_key")
    return courses.filter(
        Q(locale__language_code=language) | ~Q(translation_key__in=in_default)
    ).order_by("title")


class ScopedAdminForm(WagtailAdminModelForm):
    """Base form: every subclass narrows its choice fields to the user in `narrow(user)`.

    A join code field states its rule, offers a free generated code, and accepts the code as
    people type it (lower case, spaces, I and O for 1 and 0).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "join_code" in self.fields:
            self.fields["join_code"].help_text = JOIN_CODE_HELP % {
                "rule": JOIN_CODE_RULE,
                "code": new_join_code(),
            }
        if self.for_user is not None:
            self.narrow(self.for_user)

    def clean_join_code(self) -> str:
        return normalise_join_code(self.cleaned_data.get("join_code") or "")


class CampaignForm(ScopedAdminForm):
    """Offices and regions limited to the officer's subtree."""

    def narrow(self, user) -> None:
        self.fields["office"].queryset = offices_visible(user=user)
        self.fields["region"] = RegionCodeField(
            regions_visible(user=user).exclude(level=Region.Level.VILLAGE),
            label=_("region"),
            help_text=REGION_CODE_HELP,
        )
        if "courses" in self.fields:
            self.fields["courses"].widget = forms.CheckboxSelectMultiple()
            self.fields["courses"].queryset = one_per_course(self.fields["courses"].queryset)


class CohortForm(ScopedAdminForm):
    """Campaigns limited to the officer's subtree; trainers chosen from the Trainers role."""

    def narrow(self, user) -> None:
        self.fields["campaign"].queryset = campaigns_visible(user=user)
        self.fields["trainer"].queryset = trainers_choosable(
            user=user, keep=getattr(self.instance, "trainer_id", None)
        )
        self.fields["village"] = RegionCodeField(
            regions_visible(user=user).filter(level=Region.Level.VILLAGE),
            label=_("village"),
            help_text=VILLAGE_CODE_HELP,
        )


class ProgramOfficeForm(ScopedAdminForm):
    """Office regions limited to the user's subtree."""

    def narrow(self, user) -> None:
        self.fields["region"] = RegionCodeField(
            regions_visible(user=user), label=_("region"), help_text=REGION_CODE_HELP
        )


ROSTER_FILE_HELP = _(
    "CSV or XLSX with the columns name, phone, village code and cohort (the cohort may be empty)."
)
ROSTER_FILE_TYPE = _("Upload a .csv or .xlsx file.")
ROSTER_MAX_BYTES = 5 * 1024 * 1024


class RosterUploadForm(forms.Form):
    """One roster file."""

    file = forms.FileField(label=_("Roster file"), help_text=ROSTER_FILE_HELP)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(ROSTER_FILE_TYPE)
        if upload.size > ROSTER_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
