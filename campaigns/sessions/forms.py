"""Forms of the trainer's screens: schedule a session, add a walk-in."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..selectors import cohorts_visible


class SessionForm(forms.Form):
    """A trainer schedules a session for one of their cohorts."""

    cohort = forms.ModelChoiceField(label=_("Group"), queryset=None)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    planned_minutes = forms.IntegerField(
        label=_("Planned length (minutes)"), initial=90, min_value=15, max_value=480
    )
    village_code = forms.CharField(
        label=_("Village code"),
        required=False,
        max_length=12,
        help_text=_("12 digits. Leave empty to use the group's own village."),
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=120,
        help_text=_("For example: the village committee's activity room."),
    )
    lessons = forms.ModelMultipleChoiceField(
        label=_("Lessons covered"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cohorts = cohorts_visible(user=user).order_by("campaign__title", "name")
        self.fields["cohort"].queryset = cohorts
        self.fields["cohort"].label_from_instance = lambda c: f"{c.campaign.title} · {c.name}"
        courses = cohorts.values("campaign__courses")
        self.fields["lessons"].queryset = _lessons_of(courses)

    def starts_at(self) -> datetime.datetime:
        """The start as an aware datetime in the project's time zone."""
        naive = datetime.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"])
        return timezone.make_aware(naive)


def _lessons_of(course_ids):
    from courses.models import CoursePage, LessonPage

    courses = CoursePage.objects.filter(pk__in=course_ids)
    paths = list(courses.values_list("path", flat=True))
    if not paths:
        return LessonPage.objects.none()
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    return (
        LessonPage.objects.live()
        .filter(reduce(or_, (Q(path__startswith=p) for p in paths)))
        .order_by("path")
    )


class WalkInForm(forms.Form):
    """Someone came without being on the list: register them by name and phone."""

    name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
