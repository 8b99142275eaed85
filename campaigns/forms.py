"""Admin forms whose choices are narrowed to what the signed-in user may see."""

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page

from core.codes import new_join_code, normalise_join_code
from core.models import JOIN_CODE_RULE, TARGET_NOT_POSITIVE, Campaign, Region
from courses.models import CoursePage

from .selectors import (
    campaigns_visible,
    offices_visible,
    region_path_labels,
    regions_visible,
    trainers_choosable,
)
from .services.roster import split_region_path

REGION_PICK_HELP = _(
    "Type part of the place's name and choose it from the list, shown as 省 › 市 › 县 › 乡 › 村; "
    "only places in your office's region are offered."
)
REGION_NOT_FOUND = _("No region with this code in your region.")
REGION_NO_MATCH = _("No place “%(text)s” in your region; choose one from the list.")
REGION_AMBIGUOUS = _("“%(text)s” names several places; choose one from the list: %(paths)s")
JOIN_CODE_HELP = _(
    "Learners type this code or scan its QR code to join. %(rule)s A free code you may use: "
    "%(code)s"
)


class RegionPickerWidget(forms.TextInput):
    """A text box that suggests places of the user's subtree by name, with their full path
    (regions:search); without JavaScript the path or the code can still be typed."""

    template_name = "campaigns/widgets/region_picker.html"

    def __init__(self, *, villages: bool, attrs=None):
        super().__init__(attrs={"autocomplete": "off", "size": 60, **(attrs or {})})
        self.villages = villages

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["list"] = f"{widget_attrs.get('id', name)}-options"
        query = "?villages=1" if self.villages else ""
        widget_attrs["data-region-search"] = reverse("regions:search") + query
        return context

    class Media:
        js = ["campaigns/js/region_picker.js"]


class RegionField(forms.ModelChoiceField):
    """A region chosen by its name path from the user's subtree (a 12-digit code also works)."""

    def __init__(self, queryset, *, villages: bool, **kwargs):
        kwargs.setdefault("widget", RegionPickerWidget(villages=villages))
        kwargs.setdefault("help_text", REGION_PICK_HELP)
        super().__init__(queryset, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Region):
            region = value
        elif isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            region = Region.objects.filter(pk=value).first() if isinstance(value, int) else None
            if region is None:
                return value
        else:
            return value  # what the officer typed, shown again with the error
        return region_path_labels([region])[region.pk]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text.isdigit():
            region = self.queryset.filter(code=text).first()
            if region is None:
                raise forms.ValidationError(REGION_NOT_FOUND, code="invalid_choice")
            return region
        names = split_region_path(text)
        if not names:
            raise forms.ValidationError(REGION_NO_MATCH % {"text": text}, code="invalid_choice")
        candidates = list(self.queryset.filter(name=names[-1]).order_by("path")[:50])
        labels = region_path_labels(candidates)
        matches = [r for r in candidates if split_region_path(labels[r.pk])[-len(names) :] == names]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(REGION_NO_MATCH % {"text": text}, code="invalid_choice")
        paths = "；".join(labels[r.pk] for r in matches[:5])
        raise forms.ValidationError(
            REGION_AMBIGUOUS % {"text": text, "paths": paths}, code="invalid_choice"
        )


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "target_learners" in self.fields:
            # One clear message for 0 and for a negative number (not Django's "≥ 0").
            target = self.fields["target_learners"]
            target.min_value = 1
            target.widget.attrs["min"] = 1
            target.validators = [MinValueValidator(1, message=TARGET_NOT_POSITIVE)]
        if "target_kind" in self.fields:
            # A form posted without the choice (older pages, scripts) keeps counting completions.
            self.fields["target_kind"].required = False

    def clean_target_kind(self) -> str:
        return self.cleaned_data.get("target_kind") or Campaign.TargetKind.COMPLETIONS

    def narrow(self, user) -> None:
        self.fields["office"].queryset = offices_visible(user=user)
        self.fields["region"] = RegionField(
            regions_visible(user=user).exclude(level=Region.Level.VILLAGE),
            villages=False,
            label=_("region"),
        )
        if "courses" in self.fields:
            self.fields["courses"].widget = forms.CheckboxSelectMultiple()
            # The campaign names its courses through Wagtail's Page (core/models.py); only
            # course pages are offered.
            self.fields["courses"].queryset = one_per_course(CoursePage.objects.all())


class CohortForm(ScopedAdminForm):
    """Campaigns limited to the officer's subtree; trainers chosen from the Trainers role."""

    def narrow(self, user) -> None:
        self.fields["campaign"].queryset = campaigns_visible(user=user)
        self.fields["trainer"].queryset = trainers_choosable(
            user=user, keep=getattr(self.instance, "trainer_id", None)
        )
        self.fields["village"] = RegionField(
            regions_visible(user=user).filter(level=Region.Level.VILLAGE),
            villages=True,
            label=_("village"),
        )


class ProgramOfficeForm(ScopedAdminForm):
    """Office regions limited to the user's subtree."""

    def narrow(self, user) -> None:
        self.fields["region"] = RegionField(
            regions_visible(user=user), villages=False, label=_("region")
        )


ROSTER_FILE_HELP = _(
    "CSV or XLSX with the columns name, phone, village (its 12-digit code or its path "
    "省›市›县›乡›村) and cohort (the cohort may be empty)."
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
