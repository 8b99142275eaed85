"""Signing up and in on a farmer's phone (360×740): phone number, SMS code, consent."""

import io
import re

import pytest

from cms.demo import load_site
from learners.accounts import demo as accounts_demo
from learners.accounts import sms
from learners.accounts.models import LearnerProfile

from .axe import assert_no_serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site(transactional_db, settings):
    settings.SMS_BACKEND = "learners.accounts.sms.ConsoleBackend"
    # Only what these pages need (home page, demo accounts), not every room's demo content.
    load_site()
    accounts_demo.load(stdout=io.StringIO())
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _code_sent_to(phone: str) -> str:
    message = next(m for m in reversed(sms.outbox) if m.phone == phone)
    return re.search(r"\b(\d{6})\b", message.message).group(1)


def _fits_phone_and_targets_are_big_enough(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main input:not([type=hidden]),'
              + ' main select, main .button, main summary, main .check label')]
           .filter(el => el.offsetParent !== null)
           .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
           .filter(([, h]) => h < 44)"""
    )
    assert small == []


def test_new_learner_signs_up_with_phone_and_code_and_lands_signed_in(
    phone, live_server, demo_site
):
    phone.goto(live_server.url + "/accounts/login/")
    _fits_phone_and_targets_are_big_enough(phone)
    phone.get_by_role("link", name="注册账号").first.click()

    phone.wait_for_url(re.compile(r"/accounts/signup/"))
    _fits_phone_and_targets_are_big_enough(phone)
    assert phone.get_by_text("您的个人信息").is_visible()
    phone.get_by_label("您的姓名").fill("张秀兰")
    phone.get_by_label("手机号").fill("139 0013 9000")
    phone.get_by_label("我已阅读上面的说明，并且同意。").check()
    phone.get_by_role("button", name="同意并发送验证码").click()

    phone.wait_for_url(re.compile(r"/accounts/phone/verify/"))
    _fits_phone_and_targets_are_big_enough(phone)
    assert "139****9000" in phone.content()
    phone.get_by_label("6 位验证码").fill(_code_sent_to("+8613900139000"))
    phone.get_by_role("button", name="确认").click()

    phone.wait_for_url(live_server.url + "/")
    assert (
        phone.get_by_role("button", name="退出登录").count()
        + phone.get_by_role("link", name="退出登录").count()
        >= 1
    )
    profile = LearnerProfile.objects.get(phone="+8613900139000")
    assert profile.phone_verified and profile.consent_version and profile.display_name == "张秀兰"
    assert all(url.startswith(live_server.url) for url in phone.requested_urls)


def test_known_learner_signs_in_by_code_and_is_asked_to_consent_to_a_new_notice(
    phone, live_server, demo_site, settings
):
    settings.CONSENT_VERSION = "2099-01"
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_label("手机号").first.fill("13800138000")
    phone.get_by_role("button", name="发送验证码").click()
    phone.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    phone.get_by_label("6 位验证码").fill(_code_sent_to("+8613800138000"))
    phone.get_by_role("button", name="确认").click()

    phone.wait_for_url(re.compile(r"/me/consent/"))
    _fits_phone_and_targets_are_big_enough(phone)
    phone.get_by_label("我已阅读上面的说明，并且同意。").check()
    phone.get_by_role("button", name="同意并继续").click()

    phone.wait_for_url(live_server.url + "/")
    assert LearnerProfile.objects.get(user__username="learner").consent_version == "2099-01"


def test_large_text_setting_enlarges_every_page(phone, live_server, demo_site):
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_text("工作人员：用用户名和密码登录").click()
    phone.get_by_label("用户名").fill("learner")
    phone.get_by_label("密码").fill("demo-pass-2026")
    phone.get_by_role("button", name="用密码登录").click()
    phone.wait_for_url(live_server.url + "/")

    phone.goto(live_server.url + "/me/profile/")
    _fits_phone_and_targets_are_big_enough(phone)
    phone.get_by_label("大字").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存").click()
    phone.wait_for_url(live_server.url + "/me/profile/")

    # (app.js adds its own classes, such as `js-sw`, beside the setting's.)
    assert "large-text" in phone.locator("html").get_attribute("class").split()
    phone.goto(live_server.url + "/")
    size = phone.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert size == "20px"


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/signup/", "/accounts/login/code/", "/en/accounts/login/"],
)
def test_sign_in_pages_have_no_serious_accessibility_violations(
    phone, live_server, demo_site, path
):
    phone.goto(live_server.url + path)
    assert_no_serious_axe_violations(phone)


def test_learner_pages_of_the_account_have_no_serious_accessibility_violations(
    phone, live_server, demo_site
):
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_text("工作人员：用用户名和密码登录").click()
    phone.get_by_label("用户名").fill("learner")
    phone.get_by_label("密码").fill("demo-pass-2026")
    phone.get_by_role("button", name="用密码登录").click()
    phone.wait_for_url(live_server.url + "/")
    for path in ("/me/profile/", "/me/delete/", "/me/consent/"):
        phone.goto(live_server.url + path)
        _fits_phone_and_targets_are_big_enough(phone)
        assert_no_serious_axe_violations(phone)
