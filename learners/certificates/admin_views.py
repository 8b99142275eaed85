"""Certificate registry screens beyond the listing: revoke, re-issue and bulk print."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.models import Cohort, Region
from core.private_files import private_file_response
from core.scope import user_scope

from . import services
from .models import PrintBatch
from .selectors import certificates_visible


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with your name and the time. The learner is not shown the reason."),
    )


class ReissueForm(forms.Form):
    learner_name = forms.CharField(label=_("Corrected name"), max_length=100)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_("Name corrected"),
    )


class PrintForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=None, required=False, label=_("Cohort"))
    village_code = forms.CharField(
        required=False,
        max_length=12,
        label=_("Village (or any region) code"),
        help_text=_("12-digit division code; prints every certificate in that region."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = user_scope(user)
        cohorts = Cohort.objects.select_related("campaign", "village")
        if not scope.everything:
            condition = None
            for path in scope.region_paths:
                q = Q(village__path__startswith=path)
                condition = q if condition is None else condition | q
            cohorts = cohorts.filter(condition) if condition is not None else cohorts.none()
        self.fields["cohort"].queryset = cohorts

    def clean(self):
        data = super().clean()
        code = data.get("village_code")
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise ValidationError({"village_code": _("No region has this code.")})
            data["region"] = region
        return data


class CertificateObjectMixin(WagtailAdminTemplateMixin):
    """Loads a certificate through the user's region scope: 404 outside it."""

    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("certificates.revoke_certificate"):
            raise PermissionDenied
        self.certificate = get_object_or_404(
            certificates_visible(user=request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.certificate.code} · {self.certificate.learner_name}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("certificate_registry:index"), "label": _("Certificates")},
            {"url": "", "label": self.get_page_title()},
        ]


class RevokeView(CertificateObjectMixin, TemplateView):
    """Revoke with a required reason."""

    page_title = _("Revoke certificate")
    template_name = "certificates/admin/revoke.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RevokeForm())
        context["certificate"] = self.certificate
        return context

    def post(self, request, *args, **kwargs):
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                services.certificate_revoke(
                    certificate=self.certificate,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Certificate %s revoked.") % self.certificate.code)
                return redirect("certificate_registry:index")
        return self.render_to_response(self.get_context_data(form=form))


class ReissueView(CertificateObjectMixin, TemplateView):
    """Revoke and issue a corrected copy with a new code."""

    page_title = _("Re-issue with a corrected name")
    template_name = "certificates/admin/reissue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form", ReissueForm(initial={"learner_name": self.certificate.learner_name})
        )
        context["certificate"] = self.certificate
        return context

    def post(self, request, *args, **kwargs):
        form = ReissueForm(request.POST)
        if form.is_valid():
            try:
                new = services.certificate_reissue(
                    certificate=self.certificate,
                    by=request.user,
                    learner_name=form.cleaned_data["learner_name"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Re-issued as %(new)s; %(old)s is revoked.")
                    % {"new": new.code, "old": self.certificate.code},
                )
                return redirect("certificate_registry:index")
        return self.render_to_response(self.get_context_data(form=form))


class PrintCreateView(WagtailAdminTemplateMixin, TemplateView):
    """Choose a cohort or a village; a Celery task builds the PDF."""

    page_title = _("Print certificates")
    header_icon = "print"
    template_name = "certificates/admin/print_create.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("certificates.view_certificate"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", PrintForm(user=self.request.user))
        context["batches"] = PrintBatch.objects.filter(requested_by=self.request.user)[:10]
        # Arriving from the registry's list (or a cohort page): confirm printing what it showed.
        filters = services.print_filters_clean(self.request.GET)
        if filters:
            context["filters"] = filters
            context["filter_labels"] = filter_labels(filters, self.request.user)
            context["filter_count"] = services.print_batch_certificates(
                by=self.request.user, filters=filters
            ).count()
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("from_list"):
            filters = services.print_filters_clean(request.POST)
            try:
                batch = services.print_batch_create(
                    by=request.user,
                    filters=filters,
                    title="; ".join(filter_labels(filters, request.user)),
                )
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
                return redirect(reverse("certificate_registry:index") + "?" + urlencode(filters))
            return redirect("certificate_registry:print_status", pk=batch.pk)
        form = PrintForm(request.POST, user=request.user)
        if form.is_valid():
            cohort = form.cleaned_data.get("cohort")
            region = form.cleaned_data.get("region")
            try:
                batch = services.print_batch_create(
                    by=request.user,
                    cohort_id=cohort.pk if cohort else None,
                    region_id=region.pk if region else None,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("certificate_registry:print_status", pk=batch.pk)
        return self.render_to_response(self.get_context_data(form=form))


def filter_labels(filters: dict[str, str], user) -> list[str]:
    """The registry filters in words (names of what the user may see only)."""
    visible = certificates_visible(user=user)
    labels = []
    if "q" in filters:
        labels.append(_("Search: %(text)s") % {"text": filters["q"]})
    if "status" in filters:
        labels.append(_("Only valid certificates are printed."))
    for key, label, attr in (
        ("campaign", _("Campaign"), "campaign__title"),
        ("course", _("Course"), "course_title"),
        ("cohort", _("Cohort"), "cohort__name"),
    ):
        if key in filters and filters[key].isdigit():
            name = (
                visible.filter(**{f"{key}_id": int(filters[key])})
                .values_list(attr, flat=True)
                .first()
            )
            labels.append(f"{label}: {name or '—'}")
    if "region" in filters:
        name = Region.objects.filter(code=filters["region"]).values_list("name", flat=True)
        labels.append(_("Region: %(name)s") % {"name": name.first() or filters["region"]})
    return [str(label) for label in labels]


class PrintStatusView(WagtailAdminTemplateMixin, TemplateView):
    """Progress of one print batch; the page refreshes itself until the PDF is ready."""

    page_title = _("Print certificates")
    header_icon = "print"
    template_name = "certificates/admin/print_status.html"

    def dispatch(self, request, *args, **kwargs):
        self.batch = get_object_or_404(PrintBatch, pk=kwargs["pk"], requested_by=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["batch"] = self.batch
        return context


def print_download(request, pk: int):
    """The finished PDF of one of the user's own batches."""
    batch = get_object_or_404(PrintBatch, pk=pk, requested_by=request.user)
    if batch.state != PrintBatch.State.READY or not batch.pdf:
        raise Http404
    return private_file_response(
        batch.pdf,
        filename=f"certificates-{batch.pk}.pdf",
        content_type="application/pdf",
        as_attachment=False,
    )
