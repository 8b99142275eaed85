"""A farmer joins the demo campaign from its code on a 360×740 phone."""

import pytest

from core.demo import DEMO_PASSWORD
from tests.demo_snapshot import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site(transactional_db):
    load_demo()


def test_farmer_signs_in_from_the_join_page_and_joins(phone, live_server, demo_site):
    base = live_server.url
    phone.goto(f"{base}/join/")
    phone.fill("#join-code", "dxsz 26")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(f"{base}/join/DXSZ26/")
    assert "定西市农民数字素养提升行动" in phone.locator("h1").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.locator("main a.button").click()
    phone.locator("details.staff-login summary").click()
    phone.fill("#id_login", "learner")
    phone.fill("#id_password", DEMO_PASSWORD)
    phone.locator("details.staff-login button[type=submit]").click()
    phone.wait_for_url(f"{base}/join/DXSZ26/")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_selector(".messages")
    assert "定西市农民数字素养提升行动" in phone.locator(".messages").inner_text()


def test_wrong_code_says_so_on_the_phone(phone, live_server, demo_site):
    response = phone.goto(f"{live_server.url}/join/ZZZZZZ/")
    assert response.status == 404
    # One visible alert (the page shell also holds a hidden one for refused offline answers).
    assert phone.locator("[role=alert]:visible").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
