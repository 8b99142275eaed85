"""The certificate registry in the Wagtail admin: search, filters, revoke, re-issue, bulk print."""

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton, ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core.models import Campaign, Region

from .models import Certificate
from .selectors import certificates_visible
from .services import print_filters_clean


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """Certificates are issued by the system and revoked, never created, edited or deleted."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class CertificateFilterSet(WagtailFilterSet):
    region = django_filters.CharFilter(
        label=_("Region code"),
        method="filter_region",
        help_text=_("Includes every place below it."),
    )

    cohort = django_filters.NumberFilter(field_name="cohort_id", label=_("Cohort"))

    class Meta:
        model = Certificate
        fields = ["status", "campaign", "course"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        # The campaign list names only campaigns the user has certificates of (no other titles).
        if request is not None:
            ids = certificates_visible(user=request.user).values("campaign_id")
            self.filters["campaign"].queryset = Campaign.objects.filter(pk__in=ids)

    def filter_region(self, queryset, name, value):
        region = Region.objects.filter(code=value.strip()).first()
        if region is None:
            return queryset.none()
        return queryset.filter(region__path__startswith=region.path)


class CertificateIndexView(generic.IndexView):
    """The registry, narrowed to the officer's region subtrees."""

    def get_base_queryset(self):
        return certificates_visible(user=self.request.user)

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons += certificate_buttons(instance, self.request.user, ListingButton)
        return buttons

    @cached_property
    def header_buttons(self):
        """ "Print these": the list's current filters, confirmed on the next page."""
        buttons = list(super().header_buttons)
        filters = print_filters_clean(self.request.GET)
        url = reverse("certificate_registry:print")
        if filters:
            url += "?" + urlencode(filters)
        label = _("Print these certificates") if filters else _("Print certificates")
        buttons.append(HeaderButton(label, url=url, icon_name="print"))
        return buttons


def certificate_buttons(certificate, user, button_class) -> list:
    """Inspect, print, revoke and re-issue one certificate (the ones the user may use)."""
    buttons = [
        button_class(
            _("Inspect"),
            url=reverse("certificate_registry:inspect", args=[certificate.pk]),
            icon_name="info-circle",
            priority=5,
        )
    ]
    if not certificate.is_valid:
        return buttons
    if certificate.pdf:
        buttons.append(
            button_class(
                _("Print"),
                url=reverse("certificates:pdf", args=[certificate.code]),
                icon_name="print",
                attrs={"target": "_blank", "rel": "noopener"},
                priority=6,
            )
        )
    if user.has_perm("certificates.revoke_certificate"):
        buttons += [
            button_class(
                _("Revoke"),
                url=reverse("certificate_registry:revoke", args=[certificate.pk]),
                icon_name="cross",
                priority=7,
            ),
            button_class(
                _("Re-issue"),
                url=reverse("certificate_registry:reissue", args=[certificate.pk]),
                icon_name="redirect",
                priority=8,
            ),
        ]
    return buttons


class CertificateInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        # Outside the user's regions the certificate does not exist for them: 404, never a 500.
        return get_object_or_404(certificates_visible(user=self.request.user), pk=self.pk)

    @cached_property
    def header_buttons(self):
        buttons = certificate_buttons(self.object, self.request.user, HeaderButton)
        return [b for b in buttons if b.url != self.request.path]


class CertificateViewSet(ModelViewSet):
    name = "certificate_registry"
    model = Certificate
    icon = "doc-full"
    menu_label = _("Certificates")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = CertificateFilterSet
    search_fields = ["code", "learner_name"]
    search_backend_name = None
    # The first column is a title column: it links to the inspect page and carries the row's
    # action buttons (a plain Column here left the registry without any).
    list_display = [
        "code",
        "learner_name",
        "course_title",
        "issuer_name",
        "status",
        "issued_at",
    ]
    inspect_view_fields = [
        "code",
        "learner_name",
        "course_title",
        "hours",
        "completed_on",
        "issuer_name",
        "signatory_name",
        "campaign",
        "region",
        "status",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "replaced_by",
        "issued_at",
    ]
    form_fields = []

    def get_urlpatterns(self):
        from . import admin_views

        return [
            *super().get_urlpatterns(),
            path("<int:pk>/revoke/", admin_views.RevokeView.as_view(), name="revoke"),
            path("<int:pk>/reissue/", admin_views.ReissueView.as_view(), name="reissue"),
            path("print/", admin_views.PrintCreateView.as_view(), name="print"),
            path("print/<int:pk>/", admin_views.PrintStatusView.as_view(), name="print_status"),
            path("print/<int:pk>/pdf/", admin_views.print_download, name="print_download"),
        ]


register_permission_policy(Certificate, CertificatePermissionPolicy(Certificate))


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet()
