"""A trainer registers a learner by name and phone; the learner then signs in by SMS code."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection

from core.roles import TRAINERS
from learners.accounts.models import LearnerProfile
from learners.accounts.services import NAME_REQUIRED, learner_register, learners_register_many

from .factories import learner

pytestmark = pytest.mark.django_db

URL = "/admin/learners/register/"


@pytest.fixture
def trainer():
    user = get_user_model().objects.create_user("trainer1", password="trainer-pass-2026")
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


def test_registering_creates_a_learner_without_password(trainer):
    user = learner_register(
        name="王芳", phone="138 0013 8007", registered_by=trainer, village_code="110101001001"
    )
    profile = LearnerProfile.objects.get(user=user)
    assert (profile.display_name, profile.phone, profile.village_code) == (
        "王芳",
        "+8613800138007",
        "110101001001",
    )
    assert profile.registered_by == trainer
    assert not profile.phone_verified and not user.has_usable_password()
    assert "13800138007" not in user.username


def test_registering_the_same_phone_twice_is_idempotent(trainer):
    first = learner_register(name="王芳", phone="13800138007", registered_by=trainer)
    second = learner_register(name="王芳芳", phone="+86 138 0013 8007", registered_by=trainer)
    assert first.pk == second.pk
    assert LearnerProfile.objects.filter(phone="+8613800138007").count() == 1


def test_registering_needs_a_name_and_a_mainland_mobile(trainer):
    with pytest.raises(ValidationError) as error:
        learner_register(name=" ", phone="13800138007", registered_by=trainer)
    assert NAME_REQUIRED in error.value.messages
    with pytest.raises(ValidationError):
        learner_register(name="王芳", phone="010 1234 5678", registered_by=trainer)
    assert not LearnerProfile.objects.exists()


def test_trainer_registers_a_learner_in_the_admin(client, trainer):
    client.force_login(trainer)
    assert client.get(URL).status_code == 200

    response = client.post(URL, {"name": "王芳", "phone": "13800138007", "village_code": ""})

    assert response.status_code == 200
    assert LearnerProfile.objects.filter(phone="+8613800138007", display_name="王芳").exists()
    assert "138****8007" in response.content.decode()


def test_registering_an_existing_number_never_shows_whose_it_is(client, trainer):
    """Issue 16, finding 5: the answer used to be "李秀英（138****8000）已登记"."""
    learner(phone="+8613800138000", display_name="李秀英")
    client.force_login(trainer)

    existing = client.post(URL, {"name": "张三", "phone": "13800138000", "village_code": ""})
    new = client.post(URL, {"name": "张三", "phone": "13800138001", "village_code": ""})

    page = existing.content.decode()
    assert "李秀英" not in page
    assert LearnerProfile.objects.get(phone="+8613800138000").display_name == "李秀英"
    # The same answer for a known and an unknown number, apart from the number itself.
    assert _status(page).replace("8000", "N") == _status(new.content.decode()).replace("8001", "N")
    assert "张三" in _status(page)


def _status(page: str) -> str:
    return page.split('help-info" role="status"', 1)[1].split("</div>", 1)[0]


def test_learner_cannot_open_the_registration_page(client):
    client.force_login(learner())
    response = client.get(URL)
    assert response.status_code in (302, 403)
    assert client.post(URL, {"name": "x", "phone": "13800138007"}).status_code in (302, 403)
    assert not LearnerProfile.objects.filter(phone="+8613800138007").exists()


def test_registering_many_matches_known_phones_and_creates_the_rest(
    trainer, django_assert_max_num_queries
):
    known = learner_register(name="王芳", phone="13800138007", registered_by=trainer)
    rows = [("王芳", "138 0013 8007", "")] + [
        (f"学员{n}", f"1390000{n:04d}", "110101001001") for n in range(50)
    ]
    with django_assert_max_num_queries(8):  # constant, whatever the number of rows
        result = learners_register_many(learners=rows, registered_by=trainer)
    assert result.created == 50
    assert result.user_ids["+8613800138007"] == known.pk
    assert LearnerProfile.objects.count() == 51
    profile = LearnerProfile.objects.get(phone="+8613900000007")
    assert (profile.display_name, profile.village_code, profile.registered_by) == (
        "学员7",
        "110101001001",
        trainer,
    )
    assert not profile.user.has_usable_password()
    again = learners_register_many(learners=rows, registered_by=trainer)
    assert (again.created, again.user_ids) == (0, result.user_ids)
    assert get_user_model().objects.count() == 52  # the trainer and 51 learners


def test_registering_many_refuses_a_row_without_name_and_writes_nothing(trainer):
    with pytest.raises(ValidationError):
        learners_register_many(
            learners=[("李四", "13900000001", ""), ("", "13900000002", "")], registered_by=trainer
        )
    assert not LearnerProfile.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_registering_many_at_the_same_time_doubles_no_one(postgres):
    rows = [(f"学员{n}", f"1390000{n:04d}", "") for n in range(300)]
    barrier = threading.Barrier(2)

    def register(part):
        try:
            barrier.wait(timeout=10)
            return learners_register_many(learners=part, registered_by=None)
        finally:
            connection.close()

    # The same numbers in opposite orders, at the same moment.
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(register, [rows, rows[::-1]])
    assert first.user_ids == second.user_ids
    assert first.created + second.created == 300
    assert LearnerProfile.objects.count() == 300
    assert not get_user_model().objects.filter(learner_profile__isnull=True).exists()
