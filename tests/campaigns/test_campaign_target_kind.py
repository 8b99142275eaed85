"""A campaign's target counts completions or person-times; the dashboard measures it against the
matching figure, and the form refuses a target of zero or less in Chinese."""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.dashboard import kpis, office_scope
from campaigns.sessions.selectors import attendance_figures
from campaigns.sessions.services import attendance_tick
from core.models import Campaign
from core.roles import PROGRAM_OFFICERS

from .factories import CampaignFactory, ProgramOfficeFactory, UserFactory
from .sessions_fixtures import world_fixture  # noqa: F401
from .test_campaign_forms import campaign_data

pytestmark = pytest.mark.django_db

NOT_POSITIVE = "目标必须是大于0的整数。"


@pytest.fixture
def officer(tree):
    office = ProgramOfficeFactory(region=tree.a, name="县办")
    user = UserFactory(username="officer_a", role=PROGRAM_OFFICERS)
    office.members.add(user)
    return user, office


def tick(session, people, recorder):
    for person in people:
        attendance_tick(
            recorder=recorder,
            session=session,
            learner=person,
            attendance_id=uuid.uuid4(),
            at=timezone.now(),
        )


def kpi(page: str, name: str) -> str:
    match = re.search(rf'data-kpi="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1)


def test_officer_sets_a_person_times_target_in_the_campaign_form(client, officer, tree):
    user, office = officer
    client.force_login(user)
    page = client.get(reverse("campaigns:add")).content.decode()
    assert "人次（在村培训课的出勤）" in page  # the choice, in Chinese
    response = client.post(
        reverse("campaigns:add"), campaign_data(office, tree, target_kind="person_times")
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    campaign = Campaign.objects.get()
    assert (campaign.target_learners, campaign.target_kind) == (50, "person_times")


@pytest.mark.parametrize("typed", ["0", "-5"])
def test_a_target_of_zero_or_less_is_refused_in_chinese_and_nothing_is_saved(
    client, officer, tree, typed
):
    user, office = officer
    client.force_login(user)
    response = client.post(
        reverse("campaigns:add"), campaign_data(office, tree, target_learners=typed)
    )
    assert response.status_code == 200
    assert NOT_POSITIVE in response.content.decode()
    assert not Campaign.objects.exists()


def test_editing_a_target_to_zero_keeps_the_old_target(client, officer, tree):
    user, office = officer
    client.force_login(user)
    client.post(reverse("campaigns:add"), campaign_data(office, tree))
    campaign = Campaign.objects.get()
    response = client.post(
        reverse("campaigns:edit", args=[campaign.pk]),
        campaign_data(office, tree, target_learners="0", target_kind="person_times"),
    )
    assert NOT_POSITIVE in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.target_learners, campaign.target_kind) == (50, "completions")


def test_person_times_target_shows_person_times_over_target_on_the_officer_dashboard(client, world):
    world.campaign.target_learners = 8
    world.campaign.target_kind = Campaign.TargetKind.PERSON_TIMES
    world.campaign.save()
    tick(world.session_a, world.learners_a, world.trainer_a)  # 3 person-times
    tick(world.session_b, world.learners_b, world.trainer_b)  # 2 person-times
    total = attendance_figures(user=world.officer_f, campaign=world.campaign)[0]
    assert total.person_times == 5
    client.force_login(world.officer_f)
    page = client.get(reverse("campaigns:dashboard", args=[world.campaign.pk])).content.decode()
    assert kpi(page, "target_percent") == "63%"  # 5 / 8 = 62.5 %, rounded half up
    assert "目标 8 人次" in page
    assert "已完成 5 人次" in page
    # Nobody has completed: a completions target would show 0 %.
    world.campaign.target_kind = Campaign.TargetKind.COMPLETIONS
    world.campaign.save()
    page = client.get(reverse("campaigns:dashboard", args=[world.campaign.pk])).content.decode()
    assert kpi(page, "target_percent") == "0%"


def test_office_target_adds_up_only_completion_targets(world):
    world.campaign.target_learners = 8
    world.campaign.target_kind = Campaign.TargetKind.PERSON_TIMES
    world.campaign.save()
    CampaignFactory(
        office=world.prefecture_office, region=world.tree.f, target_learners=30, join_code="OTHR1"
    )
    figures = kpis(office_scope(user=world.officer_f, office=world.prefecture_office))
    assert figures["target"] == 30
