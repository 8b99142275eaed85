"""Public verification: anyone with a code sees its status and a masked name, nothing more."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from core.private_files import cache_publicly_unless_private, private_file_response

from . import credential, selectors, services

NOT_READY = _("This certificate is still being prepared. Try again in a minute.")
REVOKED_NO_FILE = _("This certificate was revoked; its files are no longer shared.")


def _certificate_or_404(code: str):
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        raise Http404(_("No certificate has this code."))
    return certificate


@require_safe
@cache_control(public=True, max_age=60)
def verify(request, code: str):
    """The public check: valid or revoked (with the date), masked name, course, issuer, date."""
    certificate = _certificate_or_404(code)
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "masked_name": selectors.mask_name(certificate.learner_name),
        },
    )


def _file(request, certificate, field: str, content_type: str):
    if not certificate.is_valid:
        return HttpResponse(REVOKED_NO_FILE, status=410, content_type="text/plain; charset=utf-8")
    file = getattr(certificate, field)
    if not file:
        response = HttpResponse(NOT_READY, status=404, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    if certificate.opened_at is None and request.user.pk == certificate.learner_id:
        services.certificate_opened(certificate=certificate)
    # The view checked the code; a bucket answers through a signed URL made for this request.
    return private_file_response(
        file,
        filename=f"certificate-{certificate.code}.{field}",
        content_type=content_type,
        as_attachment=False,
    )


@require_safe
@cache_publicly_unless_private(max_age=60)
def certificate_pdf(request, code: str):
    """The printable PDF, for the learner and anyone with the code."""
    return _file(request, _certificate_or_404(code), "pdf", "application/pdf")


@require_safe
@cache_publicly_unless_private(max_age=60)
def certificate_png(request, code: str):
    """The image to share in a chat app."""
    return _file(request, _certificate_or_404(code), "png", "image/png")


@require_safe
@cache_control(public=True, max_age=60)
def certificate_json(request, code: str):
    """The signed Open Badges 3.0 credential, carrying its current status."""
    certificate = _certificate_or_404(code)
    response = HttpResponse(
        credential.to_bytes(certificate.credential), content_type="application/json"
    )
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
