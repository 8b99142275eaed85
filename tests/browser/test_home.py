"""The home page on a farmer's phone: 360×740 in Chromium."""

import pytest

from tests.demo_snapshot import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site(transactional_db, demo_shell):
    load_demo()


def test_home_fits_a_360px_phone_and_loads_nothing_from_other_origins(
    phone, live_server, demo_site
):
    response = phone.goto(live_server.url + "/")
    assert response.status == 200
    assert phone.locator("h1").inner_text() == "数字乡村课堂"
    # No sideways scrolling on a 360 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # Every request stays on our own origin.
    assert phone.requested_urls
    assert all(url.startswith(live_server.url) for url in phone.requested_urls)
    # No web fonts.
    fonts = phone.evaluate(
        "performance.getEntriesByType('resource').filter(e => /woff|ttf|otf/.test(e.name)).length"
    )
    assert fonts == 0


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(phone, live_server, demo_site):
    phone.goto(live_server.url + "/")
    phone.keyboard.press("Tab")
    focused = phone.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"


def test_language_switch_leads_to_english_and_back(phone, live_server, demo_site):
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="English").click()
    phone.wait_for_url(live_server.url + "/en/")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "Digital Village Classroom"
    phone.get_by_role("link", name="简体中文").click()
    phone.wait_for_url(live_server.url + "/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"


def test_touch_targets_in_the_header_are_at_least_44px(phone, live_server, demo_site):
    phone.goto(live_server.url + "/")
    heights = phone.eval_on_selector_all(
        ".site-nav a", "links => links.map(a => a.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44
