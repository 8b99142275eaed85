"""Rebuild the dashboard rollups of every campaign (or the ones named) from the raw tables."""

from django.core.management.base import BaseCommand

from campaigns.services.rollups import rollup_rebuild
from core.models import Campaign


class Command(BaseCommand):
    help = "Recompute the dashboard rollup tables from enrollments, progress and certificates."

    def add_arguments(self, parser):
        parser.add_argument("campaign_ids", nargs="*", type=int, help="Only these campaigns.")

    def handle(self, *args, campaign_ids: list[int], **options):
        campaigns = Campaign.objects.order_by("pk")
        if campaign_ids:
            campaigns = campaigns.filter(pk__in=campaign_ids)
        count = 0
        for campaign_id in campaigns.values_list("pk", flat=True):
            rollup_rebuild(campaign_id=campaign_id)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the rollups of {count} campaign(s)."))
