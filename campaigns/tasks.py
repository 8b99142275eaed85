"""Celery tasks of the campaigns room: thin wrappers that load ids and call one service."""

from celery import shared_task

from .models import RosterImport

MAX_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_RETRIES, soft_time_limit=1800, time_limit=1900)
def roster_import_run(self, roster_import_id: int) -> None:
    """Import a confirmed roster."""
    from .services.roster import roster_run

    if not RosterImport.objects.filter(pk=roster_import_id).exists():
        return
    try:
        roster_run(roster_import_id=roster_import_id)
    except Exception as exc:
        if self.request.retries >= MAX_RETRIES:
            RosterImport.objects.filter(pk=roster_import_id).update(
                status=RosterImport.Status.FAILED, error=str(exc)[:2000]
            )
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries * 30) from exc


@shared_task(bind=True, max_retries=MAX_RETRIES, soft_time_limit=900, time_limit=960)
def export_build_task(self, export_id: int, campaign_ids: list[int], cohort_ids) -> None:
    """Build a large export file."""
    from .models import ExportLog
    from .services.exports import export_build, scope_from_ids

    export = ExportLog.objects.filter(pk=export_id).select_related("campaign", "office").first()
    if export is None:
        return
    scope, region = scope_from_ids(campaign_ids, cohort_ids, export)
    try:
        export_build(export_id=export_id, scope=scope, region=region)
    except Exception as exc:
        if self.request.retries >= MAX_RETRIES:
            ExportLog.objects.filter(pk=export_id).update(status=ExportLog.Status.FAILED)
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries * 30) from exc


@shared_task(bind=True, max_retries=MAX_RETRIES, soft_time_limit=1800, time_limit=1900)
def rollup_rebuild_task(self, campaign_id: int) -> None:
    """Rebuild one campaign's rollups."""
    from core.models import Campaign

    from .services.rollups import rollup_rebuild

    if not Campaign.objects.filter(pk=campaign_id).exists():
        return
    try:
        rollup_rebuild(campaign_id=campaign_id)
    except Exception as exc:
        if self.request.retries >= MAX_RETRIES:
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries * 30) from exc


@shared_task(bind=True, name="campaigns.rollups_refresh", soft_time_limit=600, time_limit=660)
def rollups_refresh(self) -> dict:
    """Beat (every minute): apply the learners changed since the last run to the rollups, and
    queue a full rebuild of campaigns never built (decision 0095)."""
    from .services.rollups import campaigns_needing_rollup, rollups_apply_changes

    campaign_ids = campaigns_needing_rollup()
    for campaign_id in campaign_ids:
        rollup_rebuild_task.delay(campaign_id)
    applied = rollups_apply_changes()
    return {
        "rebuilds": len(campaign_ids),
        "learners": applied.learners,
        "campaigns": applied.campaigns,
    }
