"""The rule form of the admin: whom, what text and when; the campaign's daily SMS budget."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DEFAULT_DAILY_BUDGET, ReminderRule

CAMPAIGN_OR_COHORT = _("Choose the campaign, or one of your cohorts.")


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
                "link that signs them into their next lesson. Keep it under 70 characters plus the "
                "link: longer texts are sent as two SMS."
            ),
            "window_start": _("Never before 08:00 nor after 21:00, whatever you choose here."),
        }

    def __init__(self, *args, campaigns, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].required = False
        self.fields["cohort"].queryset = cohorts
        self.fields["cohort"].required = False
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
        return data
