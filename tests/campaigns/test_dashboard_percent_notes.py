"""Percentages round half up (12.5 % → 13 %); each headline figure says what it counts."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from campaigns.dashboard import Figures, percent
from campaigns.services.rollups import rollup_rebuild
from core.roles import PROGRAM_OFFICERS
from learners.accounts.models import LearnerProfile
from learners.services import enrollment_create

from .factories import CampaignFactory, ProgramOfficeFactory, UserFactory, make_course

pytestmark = pytest.mark.django_db


def test_percentages_round_half_up_like_the_exports_and_sql():
    assert percent(1, 8) == 13  # 12.5 %
    assert percent(1, 200) == 1  # 0.5 %
    assert percent(5, 200) == 3  # 2.5 %: half to even would give 2
    assert percent(0, 7) == 0
    assert percent(3, 0) is None
    for whole in range(1, 81):
        for part in range(whole + 1):
            exact = Decimal(100 * part) / Decimal(whole)
            assert percent(part, whole) == int(exact.quantize(Decimal(1), ROUND_HALF_UP))
    assert Figures("x", enrolled=8, completed=1).completion_percent == 13


@pytest.fixture
def officer_page(client, tree):
    office = ProgramOfficeFactory(region=tree.a)
    officer = UserFactory(username="officer", role=PROGRAM_OFFICERS)
    office.members.add(officer)
    campaign = CampaignFactory(office=office, region=tree.a, target_learners=8)
    course = make_course("手机入门", lessons=1)
    campaign.courses.set([course])
    user = UserFactory(username="amy")
    LearnerProfile.objects.create(user=user, village_code=tree.va1.code)
    enrollment = enrollment_create(learner=user, course=course, campaign=campaign)
    enrollment.completed_at = enrollment.enrolled_at
    enrollment.save()
    rollup_rebuild(campaign_id=campaign.pk)
    client.force_login(officer)
    url = reverse("campaigns:dashboard", args=[campaign.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_dashboard_shows_half_up_percent_against_the_target(officer_page):
    assert 'data-kpi="target_percent">13%<' in officer_page  # 1 of 8


def test_each_headline_figure_says_what_it_counts_in_chinese(officer_page):
    notes = {
        "enrolled": "参加本活动至少一门课程的人数，每人只计一次。",
        "active_7d": "最近7天内学习过本活动任一课程的人数。",
        "completed": "学完本活动中所报每一门课程的人数。",
        "target_percent": "已完成人数占目标人数的百分比，四舍五入到整数。",
        "certificates": "有效证书张数，每人每门课一张；已撤销的不计。",
    }
    for kpi, note in notes.items():
        assert f'data-note="{kpi}">{note}<' in officer_page, kpi
