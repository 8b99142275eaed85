"""Every page a learner sees works on a small phone: 360×740, nothing wider than the screen,
a heading to start from, and no serious or critical accessibility problem (axe-core)."""

import pytest
from django.test import Client

from tests.integration.test_learner_page_budgets import ANONYMOUS_PAGES, learner_pages
from tests.integration.test_learner_page_budgets import site as site

from .axe import assert_no_serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_fits_the_phone(page, name: str) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: {overflow}px wider than the 360px screen"
    assert page.locator("h1").count() >= 1, f"{name}: no heading"
    assert_no_serious_axe_violations(page)


# The same pages, data and learner as the byte and query budgets (fixture `site`).
def test_every_learner_page_fits_a_360px_phone_and_passes_axe(phone, live_server, site):
    base = live_server.url
    for name, url in ANONYMOUS_PAGES.items():
        response = phone.goto(f"{base}{url}")
        assert response.status == 200, name
        check_fits_the_phone(phone, name)

    client = Client()
    client.force_login(site["user"])
    phone.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    for name, url in learner_pages(site).items():
        response = phone.goto(f"{base}{url}")
        assert response.status == (404 if name == "not found" else 200), name
        check_fits_the_phone(phone, name)
    # Only our own origin was asked for anything.
    assert all(u.startswith((base, "data:", "blob:")) for u in phone.requested_urls)
