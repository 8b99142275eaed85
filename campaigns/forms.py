"""Admin forms whose choices are narrowed to what the signed-in user may see."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from cms.roles import TRAINERS

from .models import Region
from .selectors import campaigns_visible, offices_visible, regions_visible

REGION_CODE_HELP = _("The 12-digit division code of a region inside your office's region.")
REGION_NOT_FOUND = _("No region with this code in your region.")
VILLAGE_CODE_HELP = _("The 12-digit division code of the cohort's village.")


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


class ScopedAdminForm(WagtailAdminModelForm):
    """Base form: every subclass narrows its choice fields to the user in `narrow(user)`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.narrow(self.for_user)


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
            self.fields["courses"].queryset = self.fields["courses"].queryset.order_by("title")


class CohortForm(ScopedAdminForm):
    """Campaigns limited to the officer's subtree; trainers chosen from the Trainers role."""

    def narrow(self, user) -> None:
        self.fields["campaign"].queryset = campaigns_visible(user=user)
        self.fields["trainer"].queryset = (
            get_user_model()
            .objects.filter(groups__name=TRAINERS, is_active=True)
            .order_by("username")
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
