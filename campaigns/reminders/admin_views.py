"""Reminder screens in the Wagtail admin: rules, preview, on/off, log, effect, the call list.

Every object is loaded through `selectors.rules_visible` / `selectors.call_list`: outside the
user's scope the answer is 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..selectors import campaigns_editable
from . import selectors, services
from .forms import RuleForm
from .models import ReminderRule

SAVED = _("The rule is saved. It sends nothing until you turn it on.")
TURNED_ON = _("The rule is on: reminders go out at the next allowed time.")
TURNED_OFF = _("The rule is off: nothing more is sent for it.")
NOTE_SAVED = _("The call is noted.")


def _may_use_reminders(user) -> bool:
    return user.is_active and user.has_perm("wagtailadmin.access_admin")


class StaffOnly:
    def dispatch(self, request, *args, **kwargs):
        if not _may_use_reminders(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RuleListView(StaffOnly, WagtailAdminTemplateMixin, TemplateView):
    """The rules the user may manage, with their state."""

    page_title = _("Reminders")
    header_icon = "mail"
    template_name = "reminders/admin/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = selectors.rules_visible(user=self.request.user).order_by(
            "campaign__title", "pk"
        )
        return context


class RuleFormView(StaffOnly, WagtailAdminTemplateMixin, TemplateView):
    """Write or change a rule."""

    header_icon = "mail"
    template_name = "reminders/admin/form.html"

    def get_page_title(self):
        return _("Change a reminder rule") if self.kwargs.get("pk") else _("New reminder rule")

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        self.rule = (
            get_object_or_404(selectors.rules_visible(user=request.user), pk=pk)
            if pk
            else ReminderRule()
        )
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None):
        user = self.request.user
        initial = {}
        if self.rule.pk:
            initial["daily_sms"] = services.daily_budget(self.rule.campaign_id)
        return RuleForm(
            data,
            instance=self.rule,
            initial=initial,
            campaigns=campaigns_editable(user=user).order_by("title"),
            cohorts=selectors.rule_cohorts_for(user=user).order_by("name"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context["rule"] = self.rule
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                rule = services.rule_save(
                    rule=form.save(commit=False),
                    user=request.user,
                    daily_sms=form.cleaned_data.get("daily_sms"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, SAVED)
                return redirect("reminders:detail", rule.pk)
        return self.render_to_response(self.get_context_data(form=form))


class RuleDetailView(StaffOnly, WagtailAdminTemplateMixin, TemplateView):
    """Preview (today's count per county, SMS against the budget), on/off, effect and log."""

    header_icon = "mail"
    template_name = "reminders/admin/detail.html"

    def get_page_title(self):
        return self.rule.name

    def dispatch(self, request, *args, **kwargs):
        self.rule = get_object_or_404(selectors.rules_visible(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rule=self.rule,
            preview=selectors.rule_preview(rule=self.rule),
            effect=selectors.rule_effect(rule=self.rule),
            log=selectors.rule_log(rule=self.rule),
            quiet=(services.QUIET_START, services.QUIET_END),
        )
        return context


@require_POST
def rule_toggle(request, pk: int):
    """Turn a rule on or off."""
    if not _may_use_reminders(request.user):
        raise PermissionDenied
    rule = get_object_or_404(selectors.rules_visible(user=request.user), pk=pk)
    active = request.POST.get("active") == "1"
    services.rule_set_active(rule=rule, active=active)
    messages.success(request, TURNED_ON if active else TURNED_OFF)
    return redirect("reminders:detail", rule.pk)


class CallListView(StaffOnly, WagtailAdminTemplateMixin, TemplateView):
    """Stalled learners of the user's cohorts, masked numbers, last lesson and call notes."""

    page_title = _("Call list")
    header_icon = "user"
    template_name = "reminders/admin/calls.html"

    def get_context_data(self, **kwargs):
        from core.phone import mask_phone

        context = super().get_context_data(**kwargs)
        rows = list(selectors.call_list(user=self.request.user)[:500])
        for row in rows:
            row.masked = mask_phone(row.phone or "")
        context["rows"] = rows
        return context

    def post(self, request, *args, **kwargs):
        enrollment = get_object_or_404(
            selectors.call_list(user=request.user), pk=request.POST.get("enrollment")
        )
        try:
            services.call_note_add(
                enrollment=enrollment, user=request.user, note=request.POST.get("note", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, NOTE_SAVED)
        return redirect(reverse("reminders:calls"))
