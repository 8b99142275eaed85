"""The rule form of the admin: whom, what text and when; the campaign's daily SMS budget."""

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import DEFAULT_DAILY_BUDGET, DEFAULT_MESSAGE, MESSAGE_TEMPLATES, ReminderRule

CAMPAIGN_OR_COHORT = _("Choose the campaign, or one of your cohorts.")


def suggested_texts() -> set[str]:
    """Every suggested text, in every language of the site (and the original default)."""
    texts = {DEFAULT_MESSAGE}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts |= {str(text) for text in MESSAGE_TEMPLATES.values()}
    return texts


class RuleForm(forms.ModelForm):
    """A rule for a campaign the user's office owns, or for a cohort the user trains."""

    daily_sms = forms.IntegerField(
        label=_("SMS per day for the whole campaign"),
        min_value=0,
        max_value=100000,
        initial=DEFAULT_DAILY_BUDGET,
        required=False,
    )

    class Meta:
        model = ReminderRule
        fields = [
            "name",
            "campaign",
            "cohort",
            "kind",
            "days",
            "message",
            "window_start",
            "window_end",
        ]
        widgets = {
            "window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "message": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "message": _(
                "Use {name} for the learner's name, {course} for the course and {link} for the "
                "link that signs them into their next lesson (the failed quiz's lesson, or their "
                "certificate). Keep it under 70 characters plus the link: longer texts are sent "
                "as two SMS. A suggested text left unchanged follows the kind of rule you choose."
            ),
            "window_start": _("Never before 08:00 nor after 21:00, whatever you choose here."),
        }

    def __init__(self, *args, campaigns, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].required = False
        self.fields["cohort"].queryset = cohorts
        self.fields["cohort"].required = False
        if self.instance.pk is None and not self.is_bound:
            self.initial["message"] = str(MESSAGE_TEMPLATES[self.instance.kind])
        self.can_budget = campaigns.exists()
        if not self.can_budget:
            del self.fields["daily_sms"]

    def clean(self):
        data = super().clean()
        campaign, cohort = data.get("campaign"), data.get("cohort")
        if cohort is not None:
            data["campaign"] = cohort.campaign
            self.instance.campaign = cohort.campaign
        elif campaign is None:
            raise forms.ValidationError(CAMPAIGN_OR_COHORT)
        # A suggested text left as it was follows the kind chosen: the officer who picks
        # "certificate ready" does not send the "stalled" words.
        kind, message = data.get("kind"), (data.get("message") or "").strip()
        if kind in MESSAGE_TEMPLATES and message in suggested_texts():
            data["message"] = str(MESSAGE_TEMPLATES[kind])
        return data
