"""After the SMS code, the confirmation names the number masked, as every other screen does."""

import pytest
from django.contrib.messages import get_messages

from .conftest import last_code

pytestmark = pytest.mark.django_db


def test_the_phone_verified_message_shows_the_masked_number(client, outbox):
    client.post(
        "/accounts/signup/",
        {"display_name": "张三", "phone": "139 1234 5671", "consent": "on"},
    )

    response = client.post("/accounts/phone/verify/", {"code": last_code(outbox, "+8613912345671")})

    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert "手机号 139****5671 已验证。" in shown
    assert not any("13912345671" in text for text in shown)
