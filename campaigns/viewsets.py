"""Wagtail admin screens for regions, offices, campaigns and cohorts, scoped in their querysets."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import HeaderButton

from core.models import Campaign, Cohort, ProgramOffice, Region

from .forms import CampaignForm, CohortForm, ProgramOfficeForm
from .selectors import (
    campaign_is_editable,
    campaigns_editable,
    campaigns_visible,
    cohorts_visible,
    offices_visible,
    regions_visible,
)

REGIONS_ARE_IMPORTED = _("Regions are added with the import_regions command.")

SCOPED_QUERYSETS = {
    Region: regions_visible,
    ProgramOffice: offices_visible,
    Campaign: campaigns_visible,
    Cohort: cohorts_visible,
}


# A campaign is followed by every office it covers but changed only by its own office and the
# offices above (decision 0090).
EDITABLE_QUERYSETS = {Campaign: campaigns_editable}


def scoped_queryset(model, user):
    """The rows of `model` the user may see (see campaigns.selectors)."""
    return SCOPED_QUERYSETS[model](user=user)


def editable_queryset(model, user):
    """The rows of `model` the user may change or delete."""
    return EDITABLE_QUERYSETS.get(model, SCOPED_QUERYSETS[model])(user=user)


class ScopedIndexView(generic.IndexView):
    """Listing narrowed to the user's scope; edit and delete offered only where allowed."""

    def get_base_queryset(self):
        return super().get_base_queryset() & scoped_queryset(self.model, self.request.user)

    def _may_edit(self, instance) -> bool:
        return self.model is not Campaign or campaign_is_editable(
            user=self.request.user, campaign=instance
        )

    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if self._may_edit(instance) else None

    def get_delete_url(self, instance):
        return super().get_delete_url(instance) if self._may_edit(instance) else None


class ScopedObjectMixin:
    """An object outside the user's scope is answered with 404, whatever the view."""

    queryset_for = staticmethod(scoped_queryset)

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if obj is not None and not (
            self.queryset_for(self.model, self.request.user).filter(pk=obj.pk).exists()
        ):
            raise Http404
        return obj


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    queryset_for = staticmethod(editable_queryset)


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    queryset_for = staticmethod(editable_queryset)


class ScopedCopyView(ScopedObjectMixin, generic.CopyView):
    pass


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    """Read-only page; offers edit and delete only to those who may (decision 0090)."""

    def _may_edit(self) -> bool:
        return self.model is not Campaign or campaign_is_editable(
            user=self.request.user, campaign=self.object
        )

    def get_edit_url(self):
        return super().get_edit_url() if self._may_edit() else None

    def get_delete_url(self):
        return super().get_delete_url() if self._may_edit() else None


class CohortInspectView(ScopedInspectView):
    """A cohort's page, with its certificates one click away: list them or print them all."""

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("certificates.view_certificate"):
            query = "?" + urlencode({"cohort": self.object.pk})
            buttons += [
                HeaderButton(
                    _("Certificates"),
                    url=reverse("certificate_registry:index") + query,
                    icon_name="doc-full",
                ),
                HeaderButton(
                    _("Print certificates"),
                    url=reverse("certificate_registry:print") + query,
                    icon_name="print",
                ),
            ]
        return buttons


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    pass


class RegionCreateView(generic.CreateView):
    """Regions enter the tree only through `manage.py import_regions`, which places them."""

    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied(REGIONS_ARE_IMPORTED)


class ScopedViewSet(ModelViewSet):
    """A ModelViewSet whose every view goes through the scoped queryset."""

    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    copy_view_class = ScopedCopyView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    inspect_view_enabled = True


class RegionViewSet(ScopedViewSet):
    name = "regions"
    model = Region
    icon = "site"
    menu_label = _("Regions")
    list_display = ["name", "code", "level"]
    search_fields = ["name", "code"]
    panels = [FieldPanel("name")]
    inspect_view_fields = ["code", "name", "level"]
    add_view_class = RegionCreateView

    def get_urlpatterns(self):
        from . import admin_views

        return [
            *super().get_urlpatterns(),
            path("search/", admin_views.region_search_view, name="search"),
        ]


class ProgramOfficeViewSet(ScopedViewSet):
    name = "program_offices"
    model = ProgramOffice
    icon = "group"
    menu_label = _("Program offices")
    list_display = [
        "name",
        "region",
        "signatory_name",
        "is_default",
        TitleColumn(
            "dashboard",
            label=_("Dashboard"),
            accessor=lambda office: _("Dashboard"),
            url_name="program_offices:dashboard",
        ),
    ]
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("region"),
            FieldPanel("members"),
            FieldPanel("signatory_name"),
            FieldPanel("seal_image"),
            FieldPanel("is_default"),
        ],
        base_form_class=ProgramOfficeForm,
    )
    inspect_view_fields = ["name", "region", "signatory_name", "seal_image", "is_default"]

    def get_urlpatterns(self):
        from . import admin_views

        return [
            *super().get_urlpatterns(),
            path(
                "dashboard/<int:pk>/",
                admin_views.OfficeDashboardView.as_view(),
                name="dashboard",
            ),
            path(
                "export/<int:pk>/<str:kind>/<str:fmt>/",
                admin_views.office_export,
                name="export",
            ),
        ]


class CampaignViewSet(ScopedViewSet):
    name = "campaigns"
    model = Campaign
    icon = "calendar"
    menu_label = _("Campaigns")
    list_display = [
        "title",
        "office",
        "region",
        "starts_on",
        "ends_on",
        "target_learners",
        Column("join_code", label=_("join code")),
        TitleColumn(
            "dashboard",
            label=_("Dashboard"),
            accessor=lambda campaign: _("Dashboard"),
            url_name="campaigns:dashboard",
        ),
        TitleColumn(
            "poster",
            label=_("Poster"),
            accessor=lambda campaign: _("Poster (PDF)"),
            url_name="campaigns:poster",
        ),
        TitleColumn(
            "roster",
            label=_("Roster"),
            accessor=lambda campaign: _("Import roster"),
            url_name="campaigns:roster",
        ),
    ]
    search_fields = ["title", "join_code"]
    inspect_view_fields = [
        "title",
        "office",
        "region",
        "starts_on",
        "ends_on",
        "target_learners",
        "target_kind",
        "join_code",
    ]

    def get_urlpatterns(self):
        from . import admin_views

        return [
            *super().get_urlpatterns(),
            path("roster/<int:pk>/", admin_views.RosterUploadView.as_view(), name="roster"),
            path(
                "dashboard/<int:pk>/",
                admin_views.CampaignDashboardView.as_view(),
                name="dashboard",
            ),
            path(
                "export/<int:pk>/<str:kind>/<str:fmt>/",
                admin_views.campaign_export,
                name="export",
            ),
            path("poster/<int:pk>/", admin_views.campaign_poster, name="poster"),
            path("exports/", admin_views.ExportListView.as_view(), name="exports"),
            path(
                "exports/<int:pk>/download/",
                admin_views.export_download,
                name="export_download",
            ),
            path(
                "roster/<int:pk>/<int:roster>/",
                admin_views.RosterPreviewView.as_view(),
                name="roster_preview",
            ),
        ]

    @property
    def edit_handler(self):
        names = ["title", "office", "region"]
        if any(f.name == "courses" for f in Campaign._meta.get_fields()):
            names.append("courses")
        names += ["starts_on", "ends_on", "target_learners", "target_kind", "join_code"]
        return ObjectList([FieldPanel(n) for n in names], base_form_class=CampaignForm)


class CohortViewSet(ScopedViewSet):
    name = "cohorts"
    model = Cohort
    icon = "group"
    menu_label = _("Cohorts")
    list_display = ["name", "campaign", "trainer", "village", Column("join_code")]
    search_fields = ["name", "join_code"]
    edit_handler = ObjectList(
        [
            FieldPanel("campaign"),
            FieldPanel("name"),
            FieldPanel("trainer"),
            FieldPanel("village"),
            FieldPanel("schedule"),
            FieldPanel("join_code"),
        ],
        base_form_class=CohortForm,
    )
    inspect_view_fields = ["campaign", "name", "trainer", "village", "schedule", "join_code"]
    inspect_view_class = CohortInspectView


class CampaignsGroup(ModelViewSetGroup):
    menu_label = _("Campaigns")
    menu_icon = "calendar"
    menu_order = 250
    items = (CampaignViewSet, CohortViewSet, ProgramOfficeViewSet, RegionViewSet)
