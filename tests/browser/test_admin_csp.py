"""The Wagtail admin and the learner pages work under the production CSP: no violations."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page

from tests.demo_snapshot import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-staff-pass-2026"
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile);
});
"""


@pytest.fixture
def desk(chromium, live_server):
    """A laptop-sized browser context that records CSP violations and console errors."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    yield page
    context.close()


def _violations(page) -> list[str]:
    reported = page.evaluate("window.__csp")
    console = [text for text in page.console_errors if "Content Security Policy" in text]
    return reported + console


def test_staff_sign_in_and_page_editor_work_under_the_admin_policy(desk, live_server, demo_shell):
    # The site's home page, also after an earlier transactional test emptied the database.
    load_demo()
    get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)
    home = Page.objects.filter(depth=2).first()

    desk.goto(live_server.url + "/admin/login/?next=/admin/")
    assert "/accounts/login/" in desk.url
    assert _violations(desk) == []
    desk.locator("details.staff-login summary").click()
    desk.fill("input[name=login]", "editor")
    desk.fill("input[name=password]", PASSWORD)
    desk.locator("form:has(input[name=password]) [type=submit]").first.click()
    desk.wait_for_url(live_server.url + "/admin/")
    assert _violations(desk) == []

    desk.goto(f"{live_server.url}/admin/pages/{home.pk}/edit/")
    desk.wait_for_selector("form#page-edit-form")
    # The editor's own scripts ran: Wagtail's Stimulus controllers set up the tabs.
    desk.wait_for_selector("[data-controller~='w-tabs']")
    assert desk.locator("input[name=title]").input_value() == home.title
    assert _violations(desk) == []


def test_learner_sign_in_page_reports_no_violation(desk, live_server):
    desk.goto(live_server.url + "/accounts/login/")
    # The inline critical CSS applied: its nonce matched the header.
    ink = desk.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--ink')")
    assert ink.strip() == "#1a1a1a"
    assert _violations(desk) == []
