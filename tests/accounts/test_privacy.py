"""A learner downloads everything stored about them, or deletes it; aggregates stay anonymous."""

import json

import pytest
from django.contrib.auth import get_user_model

from core import privacy
from learners.accounts.models import ConsentRecord, LearnerProfile
from learners.accounts.services import account_erase, consent_record

from .factories import learner

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = learner(display_name="李秀英", phone="+8613800138005", village_code="110101001001")
    consent_record(user=user, language="zh-hans")
    client.force_login(user)
    return user


@pytest.fixture
def other():
    return learner(display_name="王大明", phone="+8613800138009")


@pytest.fixture
def registered():
    """A room's exporter and eraser, registered for one test."""
    erased = []

    def export(user):
        return {"lessons_done": 3, "user_id": user.pk}

    def erase(user):
        erased.append(user.pk)

    privacy.register_exporter("learning", export)
    privacy.register_eraser(erase)
    yield erased
    privacy.unregister(export)
    privacy.unregister(erase)


def test_data_download_contains_my_data_and_not_another_learners(client, me, other):
    response = client.get("/me/data.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    data = json.loads(text)
    profile = data["account"]["profile"]
    assert profile["display_name"] == "李秀英"
    assert profile["phone"] == "+8613800138005"
    assert profile["village_code"] == "110101001001"
    assert data["account"]["consents"][0]["version"]
    assert "王大明" not in text and "13800138009" not in text


def test_data_download_includes_what_other_rooms_register(client, me, registered):
    data = client.get("/me/data.json").json()
    assert data["learning"] == {"lessons_done": 3, "user_id": me.pk}


def test_data_download_needs_sign_in(client):
    response = client.get("/me/data.json")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_data_download_query_count_is_constant(client, me, django_assert_max_num_queries):
    # A fixed number per registered section (certificates added one): never one per row.
    with django_assert_max_num_queries(9):
        client.get("/me/data.json")


def test_deleting_my_account_removes_personal_data_and_signs_me_out(client, me, other, registered):
    assert client.get("/me/delete/").status_code == 200

    response = client.post("/me/delete/", {"confirm": "yes"})

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not LearnerProfile.objects.filter(user=me).exists()
    assert not ConsentRecord.objects.filter(user=me).exists()
    anonymous = get_user_model().objects.get(pk=me.pk)  # the row stays for anonymous aggregates
    assert anonymous.username.startswith("deleted-")
    assert not anonymous.is_active and not anonymous.has_usable_password()
    assert (anonymous.first_name, anonymous.last_name, anonymous.email) == ("", "", "")
    assert registered == [me.pk]  # other rooms erased their part
    assert LearnerProfile.objects.filter(user=other).exists()  # nobody else is touched


def test_deleted_number_can_sign_up_again(client, me, outbox):
    client.post("/me/delete/", {"confirm": "yes"})
    response = client.post(
        "/accounts/signup/", {"display_name": "李秀英", "phone": "13800138005", "consent": "on"}
    )
    assert response.status_code == 302
    assert LearnerProfile.objects.filter(phone="+8613800138005").exclude(user=me).exists()


def test_deletion_needs_the_confirmation_box(client, me):
    response = client.post("/me/delete/", {})
    assert response.status_code == 200
    assert LearnerProfile.objects.filter(user=me).exists()
    assert client.session["_auth_user_id"] == str(me.pk)


def test_deleted_learners_other_sessions_end(me):
    from django.test import Client

    second_phone = Client()
    second_phone.force_login(me)
    account_erase(user=me)
    response = second_phone.get("/me/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_failing_room_eraser_deletes_nothing(me):
    def broken(user):
        raise RuntimeError("storage down")

    privacy.register_eraser(broken)
    try:
        with pytest.raises(RuntimeError):
            account_erase(user=me)
    finally:
        privacy.unregister(broken)
    assert LearnerProfile.objects.filter(user=me).exists()
    assert get_user_model().objects.get(pk=me.pk).is_active


def test_sign_in_sessions_are_in_the_download_and_gone_after_deletion(client, me):
    from allauth.usersessions.models import UserSession

    UserSession.objects.create(
        user=me, ip="203.0.113.5", session_key="k" * 32, user_agent="Mozilla/5.0 (Linux; Android 8)"
    )
    data = client.get("/me/data.json").json()
    assert any(s["ip"] == "203.0.113.5" for s in data["account"]["sessions"])

    client.post("/me/delete/", {"confirm": "yes"})

    assert not UserSession.objects.filter(user=me).exists()
