"""Demo region tree, program office, campaign and cohort for `bootstrap_demo` (idempotent)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from cms.demo import load_accounts

from .models import Campaign, Cohort, ProgramOffice, Region
from .services import region_import

# A real-looking slice of Gansu province (codes follow the statistics bureau's 12-digit scheme).
DEMO_REGIONS = [
    ("code", "name", "parent_code"),
    ("620000000000", "甘肃省", ""),
    ("621100000000", "定西市", "620000000000"),
    ("621102000000", "安定区", "621100000000"),
    ("621121000000", "通渭县", "621100000000"),
    ("621102100000", "凤翔镇", "621102000000"),
    ("621102101000", "内官营镇", "621102000000"),
    ("621121100000", "平襄镇", "621121000000"),
    ("621102100201", "团结村", "621102100000"),
    ("621102100202", "红星村", "621102100000"),
    ("621102101201", "锦花村", "621102101000"),
    ("621121100201", "温泉村", "621121100000"),
    ("621121100202", "李家店村", "621121100000"),
]
DEMO_OFFICE = "定西市农业农村局"
DEFAULT_OFFICE = "数字乡村课堂平台"
DEMO_CAMPAIGN = "定西市农民数字素养提升行动"
DEMO_CAMPAIGN_CODE = "DXSZ26"
DEMO_COHORT = "团结村第一期"
DEMO_COHORT_CODE = "TJCN26"


def load(stdout=None) -> Campaign:
    """Create the demo regions, offices, campaign and cohort unless they exist."""
    region_import(rows=DEMO_REGIONS)
    load_accounts()
    User = get_user_model()
    province = Region.objects.get(code="620000000000")
    prefecture = Region.objects.get(code="621100000000")
    ProgramOffice.objects.get_or_create(
        is_default=True,
        defaults={"name": DEFAULT_OFFICE, "region": province, "signatory_name": "数字乡村课堂"},
    )
    office, _ = ProgramOffice.objects.get_or_create(
        name=DEMO_OFFICE, defaults={"region": prefecture, "signatory_name": "陈丽华"}
    )
    office.members.add(User.objects.get(username="officer"))
    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        join_code=DEMO_CAMPAIGN_CODE,
        defaults={
            "office": office,
            "title": DEMO_CAMPAIGN,
            "region": prefecture,
            "starts_on": today - datetime.timedelta(days=60),
            "ends_on": today + datetime.timedelta(days=300),
            "target_learners": 500,
        },
    )
    Cohort.objects.get_or_create(
        join_code=DEMO_COHORT_CODE,
        defaults={
            "campaign": campaign,
            "name": DEMO_COHORT,
            "trainer": User.objects.get(username="trainer"),
            "village": Region.objects.get(code="621102100201"),
            "schedule": "每周二、周四晚上七点，村委会活动室",
        },
    )
    if stdout is not None:
        stdout.write(f"Demo campaign “{campaign.title}”: join code {campaign.join_code}")
    return campaign
