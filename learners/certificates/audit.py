"""A certificate revocation is recorded in the audit log with who and why.

Connected to the model's save signals in CertificatesConfig.ready, so a save from any path (admin,
script, service) is recorded.
"""

from core.audit import CERTIFICATE_REVOKED, audit_record


def on_certificate_pre_save(sender, instance, raw=False, **kwargs) -> None:
    """Remember the status before this save, to see the moment of revocation."""
    if raw or instance.pk is None:
        return
    instance._audit_previous_status = (
        sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    )


def on_certificate_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """A certificate that has just become revoked is recorded with who and why."""
    revoked = sender.Status.REVOKED
    if raw or instance.status != revoked:
        return
    if not created and getattr(instance, "_audit_previous_status", None) == revoked:
        return
    audit_record(
        actor=instance.revoked_by,
        action=CERTIFICATE_REVOKED,
        target=instance,
        details={"reason": instance.revoke_reason},
    )
