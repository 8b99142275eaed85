"""Campaign screens beyond create/edit: roster import, dashboard and exports (Wagtail admin)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .forms import RosterUploadForm
from .models import RosterImport
from .selectors import campaigns_visible
from .services.roster import INVALID, RosterFileError, roster_confirm, roster_preview

PREVIEW_VALID_ROWS_SHOWN = 200


def mask_phone(phone: str) -> str:
    """+8613812345678 → 138****5678."""
    from learners.accounts.phone import mask_phone as learners_mask_phone

    return learners_mask_phone(phone) if phone.startswith("+86") else phone


class CampaignObjectMixin(WagtailAdminTemplateMixin):
    """Loads the campaign from the URL through the user's scope (404 outside it)."""

    permission = ""
    header_icon = "calendar"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.campaign = get_object_or_404(campaigns_visible(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.campaign.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("campaigns:index"), "label": _("Campaigns")},
            {
                "url": reverse("campaigns:edit", args=[self.campaign.pk]),
                "label": self.campaign.title,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def shows_full_phones(self) -> bool:
        return self.request.user.has_perm("campaigns.view_contact_details")


class RosterUploadView(CampaignObjectMixin, TemplateView):
    """Upload a CSV or XLSX roster; the next page previews it."""

    permission = "campaigns.import_roster"
    page_title = _("Import a roster")
    template_name = "campaigns/admin/roster_upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RosterUploadForm())
        context["campaign"] = self.campaign
        context["recent"] = self.campaign.rosters.all()[:10]
        return context

    def post(self, request, *args, **kwargs):
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                roster = roster_preview(
                    campaign=self.campaign,
                    uploaded_by=request.user,
                    content=upload.read(),
                    filename=upload.name,
                )
            except RosterFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect("campaigns:roster_preview", pk=self.campaign.pk, roster=roster.pk)
        return self.render_to_response(self.get_context_data(form=form))


class RosterPreviewView(CampaignObjectMixin, TemplateView):
    """Each row's outcome; the officer confirms to import the valid rows only."""

    permission = "campaigns.import_roster"
    page_title = _("Roster preview")
    template_name = "campaigns/admin/roster_preview.html"

    def get_roster(self) -> RosterImport:
        return get_object_or_404(RosterImport, pk=self.kwargs["roster"], campaign=self.campaign)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roster = self.get_roster()
        full = self.shows_full_phones()
        rows = [
            {**row, "phone_shown": row["phone"] if full else mask_phone(row["phone"])}
            for row in roster.rows
        ]
        context.update(
            campaign=self.campaign,
            roster=roster,
            invalid_rows=[r for r in rows if r["outcome"] == INVALID],
            valid_rows=[r for r in rows if r["outcome"] != INVALID][:PREVIEW_VALID_ROWS_SHOWN],
            valid_rows_hidden=max(0, roster.valid_count - PREVIEW_VALID_ROWS_SHOWN),
            new_count=sum(r["outcome"] == "new" for r in rows),
            existing_count=sum(r["outcome"] == "existing" for r in rows),
        )
        return context

    def post(self, request, *args, **kwargs):
        roster = self.get_roster()
        try:
            roster = roster_confirm(roster_import_id=roster.pk)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            if roster.status == RosterImport.Status.DONE:
                messages.success(
                    request,
                    _("Imported %(count)s learners (%(new)s new, %(matched)s already registered).")
                    % {
                        "count": roster.enrolled_count,
                        "new": roster.registered_count,
                        "matched": roster.matched_count,
                    },
                )
            else:
                messages.info(request, _("The import is running; refresh this page to follow it."))
        return redirect("campaigns:roster_preview", pk=self.campaign.pk, roster=roster.pk)
