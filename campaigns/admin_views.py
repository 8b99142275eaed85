"""Campaign screens beyond create/edit: roster import, dashboard and exports (Wagtail admin)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.models import Region
from core.phone import mask_phone
from core.private_files import private_file_response

from .charts import weekly_trend_svg
from .dashboard import (
    campaign_scope,
    cohort_breakdown,
    course_breakdown,
    drill_path,
    kpis,
    lesson_funnel,
    missed_questions,
    office_scope,
    region_breakdown,
    region_in_scope,
    weekly_trend,
)
from .forms import RosterUploadForm
from .models import ExportLog, RosterImport
from .selectors import (
    campaign_is_editable,
    campaign_part_for,
    campaigns_visible,
    offices_visible,
)
from .services.exports import FORMATS, export_start
from .services.roster import INVALID, RosterFileError, roster_confirm, roster_preview

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PREVIEW_VALID_ROWS_SHOWN = 200


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
                "url": reverse(
                    "campaigns:edit"
                    if campaign_is_editable(user=self.request.user, campaign=self.campaign)
                    else "campaigns:inspect",
                    args=[self.campaign.pk],
                ),
                "label": self.campaign.title,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def shows_full_phones(self) -> bool:
        return self.request.user.has_perm("core.view_contact_details")

    def office_subtrees(self) -> tuple[str, ...] | None:
        """The region paths an office below the campaign's region works in (None: all of it)."""
        part = campaign_part_for(user=self.request.user, campaign=self.campaign)
        return None if part.whole else part.subtrees

    def rosters(self):
        """The campaign's rosters the user may open: all, or (below its region) their own."""
        rosters = self.campaign.rosters.all()
        if self.office_subtrees() is not None:
            rosters = rosters.filter(uploaded_by=self.request.user)
        return rosters


class RosterUploadView(CampaignObjectMixin, TemplateView):
    """Upload a CSV or XLSX roster; the next page previews it."""

    permission = "core.import_roster"
    page_title = _("Import a roster")
    template_name = "campaigns/admin/roster_upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RosterUploadForm())
        context["campaign"] = self.campaign
        context["recent"] = self.rosters()[:10]
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
                    within=self.office_subtrees(),
                )
            except RosterFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect("campaigns:roster_preview", pk=self.campaign.pk, roster=roster.pk)
        return self.render_to_response(self.get_context_data(form=form))


class RosterPreviewView(CampaignObjectMixin, TemplateView):
    """Each row's outcome; the officer confirms to import the valid rows only."""

    permission = "core.import_roster"
    page_title = _("Roster preview")
    template_name = "campaigns/admin/roster_preview.html"

    def get_roster(self) -> RosterImport:
        return get_object_or_404(self.rosters(), pk=self.kwargs["roster"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roster = self.get_roster()
        full = self.shows_full_phones()
        rows = [
            {
                **row,
                "phone_shown": row["phone"]
                if full
                else mask_phone(row["phone"], show_unparsed=True),
            }
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


class DashboardMixin:
    """Shared by campaign and office dashboards: drill-down region and the figures."""

    template_name = "campaigns/admin/dashboard.html"
    header_icon = "view"

    def resolve_region(self, scope):
        region = region_in_scope(scope, self.request.GET.get("region", ""))
        if region is None:
            raise Http404
        return region

    def dashboard_context(self, scope, region, export_urls):
        trend = weekly_trend(scope)
        return {
            "scope": scope,
            "region": region,
            "drill_path": drill_path(scope, region),
            "kpis": kpis(scope),
            "regions": region_breakdown(scope, region),
            "courses": course_breakdown(scope),
            "cohorts": cohort_breakdown(scope),
            "trend": trend,
            "trend_svg": weekly_trend_svg(trend),
            "funnel": lesson_funnel(scope),
            "missed": missed_questions(scope),
            "export_urls": export_urls,
            "can_export": self.request.user.has_perm("core.export_figures"),
            "village_level": Region.Level.VILLAGE,
        }


class CampaignDashboardView(DashboardMixin, CampaignObjectMixin, TemplateView):
    """One campaign's figures, drillable from its region down to villages."""

    permission = "core.view_dashboard"
    page_title = _("Dashboard")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = campaign_scope(user=self.request.user, campaign=self.campaign)
        region = self.resolve_region(scope)
        query = f"?region={region.code}"
        exports = {
            f"{kind}_{fmt}": reverse("campaigns:export", args=[self.campaign.pk, kind, fmt]) + query
            for kind in ("aggregates", "learners")
            for fmt in FORMATS
        }
        context.update(self.dashboard_context(scope, region, exports))
        context["campaign"] = self.campaign
        return context


class OfficeDashboardView(DashboardMixin, WagtailAdminTemplateMixin, TemplateView):
    """All of an office's campaigns (that the user may see) together."""

    page_title = _("Office dashboard")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("core.view_dashboard"):
            raise PermissionDenied
        self.office = get_object_or_404(offices_visible(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.office.name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = office_scope(user=self.request.user, office=self.office)
        region = self.resolve_region(scope)
        query = f"?region={region.code}"
        exports = {
            f"{kind}_{fmt}": reverse("program_offices:export", args=[self.office.pk, kind, fmt])
            + query
            for kind in ("aggregates", "learners")
            for fmt in FORMATS
        }
        context.update(self.dashboard_context(scope, region, exports))
        context["office"] = self.office
        context["campaigns"] = campaigns_visible(user=self.request.user).filter(office=self.office)
        return context


def _start_export(request, *, scope, region, kind, fmt, campaign=None, office=None):
    if not request.user.has_perm("core.export_figures"):
        raise PermissionDenied
    if kind not in ExportLog.Kind.values or fmt not in FORMATS:
        raise Http404
    log = export_start(
        user=request.user,
        scope=scope,
        region=region,
        kind=kind,
        file_format=fmt,
        campaign=campaign,
        office=office,
    )
    if log.status == ExportLog.Status.READY:
        return redirect("campaigns:export_download", log.pk)
    messages.info(request, _("The export is being built; it will be listed here when ready."))
    return redirect("campaigns:exports")


def campaign_export(request, pk: int, kind: str, fmt: str):
    """Export one campaign's figures or learners (logged)."""
    campaign = get_object_or_404(campaigns_visible(user=request.user), pk=pk)
    if not request.user.has_perm("core.view_dashboard"):
        raise PermissionDenied
    scope = campaign_scope(user=request.user, campaign=campaign)
    region = region_in_scope(scope, request.GET.get("region", ""))
    if region is None:
        raise Http404
    return _start_export(request, scope=scope, region=region, kind=kind, fmt=fmt, campaign=campaign)


def office_export(request, pk: int, kind: str, fmt: str):
    """Export an office's figures or learners (logged)."""
    office = get_object_or_404(offices_visible(user=request.user), pk=pk)
    scope = office_scope(user=request.user, office=office)
    region = region_in_scope(scope, request.GET.get("region", ""))
    if region is None:
        raise Http404
    return _start_export(request, scope=scope, region=region, kind=kind, fmt=fmt, office=office)


def _own_exports(user):
    logs = ExportLog.objects.select_related("campaign", "office", "user")
    if user.has_perm("campaigns.view_exportlog"):
        return logs
    return logs.filter(user=user)


class ExportListView(WagtailAdminTemplateMixin, TemplateView):
    """The user's exports (administrators: everyone's), newest first, with download links."""

    page_title = _("Exports")
    header_icon = "download"
    template_name = "campaigns/admin/exports.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("core.export_figures"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["exports"] = _own_exports(self.request.user)[:100]
        return context


def export_download(request, pk: int):
    """Send a finished export file to the user who made it."""
    if not request.user.has_perm("core.export_figures"):
        raise PermissionDenied
    log = get_object_or_404(_own_exports(request.user), pk=pk)
    if log.user_id != request.user.pk or log.status != ExportLog.Status.READY or not log.file:
        raise Http404
    # Monthly session reports (campaigns/sessions/report.py) are logged here as PDF too.
    content_type = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}.get(
        log.file_format, "text/csv; charset=utf-8"
    )
    return private_file_response(
        log.file,
        as_attachment=True,
        filename=log.file.name.rsplit("/", 1)[-1],
        content_type=content_type,
    )


def campaign_poster(request, pk: int):
    """The campaign's printable poster with its QR code (PDF)."""
    from django.conf import settings
    from django.http import HttpResponse

    from .poster import campaign_poster_pdf

    if not request.user.has_perm("core.view_campaign"):
        raise PermissionDenied
    campaign = get_object_or_404(campaigns_visible(user=request.user), pk=pk)
    join_path = reverse("campaigns_join", kwargs={"code": campaign.join_code})
    join_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + join_path
    response = HttpResponse(campaign_poster_pdf(campaign=campaign, join_url=join_url))
    response["Content-Type"] = "application/pdf"
    response["Content-Disposition"] = f'inline; filename="poster-{campaign.join_code}.pdf"'
    return response


# Who may pick regions: those who create or change campaigns, cohorts or offices.
REGION_PICKERS = (
    "core.add_campaign",
    "core.change_campaign",
    "core.add_cohort",
    "core.change_cohort",
    "core.change_programoffice",
)


def region_search_view(request):
    """Places of the user's subtrees matching a typed name, with their full paths (JSON)."""
    from django.http import JsonResponse

    from .selectors import region_search

    if not any(request.user.has_perm(p) for p in REGION_PICKERS):
        raise PermissionDenied
    found = region_search(
        user=request.user,
        text=request.GET.get("q", "")[:50],
        villages=request.GET.get("villages") == "1",
    )
    return JsonResponse(
        {"results": [{"code": region.code, "label": label} for region, label in found]}
    )
