"""Every learner page's first paint is its final layout: cumulative layout shift ≤ 0.01 at 360×740.

Issue 18, decision 0135. The lesson used to render every step and the quiz and let player.js hide
steps 2–n after the first paint (Lighthouse: CLS 0.53). Each response here arrives 150 ms after its
request and scripts 400 ms more (as on a slow link, where the scripts at the end of the page come
one round trip after it), so the page paints before its scripts run: when a script that shows or
hides something would move the layout.
"""

import time

import pytest
from django.test import Client

from tests.integration.test_learner_page_budgets import ANONYMOUS_PAGES, learner_pages
from tests.integration.test_learner_page_budgets import site as site

from .serial import serial_live_server as serial_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLS_BUDGET = 0.01

# Added before any page script: sums every layout shift not caused by the reader's own input.
OBSERVE_SHIFTS = """
window.__cls = 0; window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.hadRecentInput) continue;
    window.__cls += e.value;
    window.__shifts.push({value: e.value, nodes: (e.sources || []).map((s) => s.node
      ? (s.node.id || s.node.className || s.node.nodeName) : "?")});
  }
}).observe({type: "layout-shift", buffered: true});
"""


def shift_of(page, url: str) -> tuple[int, float, list]:
    response = page.goto(url, wait_until="load")
    # Module scripts, the service worker and the first progress event have run by now.
    page.wait_for_timeout(600)
    cls, shifts = page.evaluate("() => [window.__cls, window.__shifts]")
    return response.status, cls, shifts


def phone_context(chromium, sessionid: str | None, base: str):
    """A fresh 360×740 phone, signed in when given a session id."""
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    if sessionid:
        context.add_cookies([{"name": "sessionid", "value": sessionid, "url": base}])
    return context


def slow_phone(chromium, sessionid: str | None, base: str):
    context = phone_context(chromium, sessionid, base)
    context.add_init_script(OBSERVE_SHIFTS)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 150, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.route("**/static/**/*.js", late)
    return context, page


def late(route):
    """Scripts arrive after the first paint (Playwright's handler waits; the browser paints)."""
    time.sleep(0.4)
    route.continue_()


def test_no_learner_page_shifts_after_its_first_paint(chromium, serial_live_server, site):
    base = serial_live_server.url
    client = Client()
    client.force_login(site["user"])
    shifted = {}
    context, page = slow_phone(chromium, client.cookies["sessionid"].value, base)
    pages = dict(learner_pages(site))
    # The lesson in a course the learner has not started, and a quiz attempt under review.
    pages["first lesson"] = site["lessons"][0].url
    for name, url in pages.items():
        status, cls, shifts = shift_of(page, f"{base}{url}")
        assert status == (404 if name == "not found" else 200), name
        if cls > CLS_BUDGET:
            shifted[name] = (round(cls, 3), shifts)
    context.close()
    context, page = slow_phone(chromium, None, base)
    anonymous = {**ANONYMOUS_PAGES, "lesson (anonymous)": site["lessons"][1].url}
    anonymous["course (anonymous)"] = site["course"].url
    for name, url in anonymous.items():
        status, cls, shifts = shift_of(page, f"{base}{url}")
        assert status == 200, name
        if cls > CLS_BUDGET:
            shifted[name] = (round(cls, 3), shifts)
    context.close()
    assert shifted == {}


def test_the_lesson_is_served_showing_its_first_step_alone(chromium, serial_live_server, site):
    """Before any script has run, the stepped lesson shows step 1, its stepper, and no quiz."""
    base = serial_live_server.url
    client = Client()
    client.force_login(site["user"])
    context, page = slow_phone(chromium, client.cookies["sessionid"].value, base)
    # Scripts from the server never arrive: the first paint is what the HTML and CSS decide.
    page.route("**/*.js", lambda route: route.abort())
    page.goto(f"{base}{site['lessons'][1].url}", wait_until="load")
    steps = page.locator("#lesson-body > .step")
    assert steps.count() == 2
    assert steps.nth(0).is_visible() and not steps.nth(1).is_visible()
    assert not page.locator("#quiz").is_visible()
    assert page.locator(".stepper").is_visible()
    assert page.locator("[data-step-label]").inner_text() == "第 1 步，共 2 步"
    context.close()
    # Without JavaScript the whole lesson and its quiz are there, and no stepper.
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    page = context.new_page()
    page.goto(f"{base}{site['lessons'][1].url}")
    assert page.locator("#lesson-body > .step").nth(1).is_visible()
    assert page.locator("#quiz").is_visible()
    assert not page.locator(".stepper").is_visible()
    assert not page.locator("#listen").is_visible()
    context.close()
