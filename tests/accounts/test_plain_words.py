"""Sign-in copy a farmer understands: their own name, and a wrong code explained plainly."""

import pytest
from django.contrib.messages import get_messages

from .conftest import last_code
from .factories import learner

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"


def sign_in(client, outbox, phone="+8613800138005"):
    client.post(REQUEST, {"phone": phone[3:]})
    return client.post(CONFIRM, {"code": last_code(outbox, phone)}, follow=True)


def test_signing_in_greets_the_learner_by_name_not_the_internal_username(client, outbox):
    user = learner(phone="+8613800138005")
    user.learner_profile.display_name = "王小丽"
    user.learner_profile.save()
    response = sign_in(client, outbox)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "王小丽" in text
    assert user.get_username() not in text


def test_a_learner_without_a_name_is_greeted_by_the_masked_number(client, outbox):
    user = learner(phone="+8613800138005")
    user.learner_profile.display_name = ""
    user.learner_profile.save()
    response = sign_in(client, outbox)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "138****8005" in text
    assert user.get_username() not in text


def test_a_wrong_code_says_so_in_plain_chinese(client, outbox):
    learner(phone="+8613800138005")
    client.post(REQUEST, {"phone": "13800138005"})
    code = last_code(outbox, "+8613800138005")
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(CONFIRM, {"code": wrong}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert "验证码不对，请再试一次" in page
    assert "错误代码" not in page
    assert "_auth_user_id" not in client.session
