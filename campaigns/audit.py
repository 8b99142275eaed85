"""Every export a user starts is also in the audit log (connected in CampaignsConfig.ready)."""

from core.audit import EXPORT_REQUESTED, audit_record


def on_export_log_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """Every export a user starts (campaigns.ExportLog) is also in the audit log."""
    if raw or not created:
        return
    audit_record(
        actor=instance.user,
        action=EXPORT_REQUESTED,
        target=instance,
        details={
            "kind": instance.kind,
            "format": instance.file_format,
            "region_code": instance.region_code,
            "campaign_id": instance.campaign_id,
            "full_phone_numbers": instance.full_phone_numbers,
        },
    )
