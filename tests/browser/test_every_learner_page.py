"""Every page a learner sees works on a small phone: 360×740, nothing wider than the screen,
a heading to start from, and no serious or critical accessibility problem (axe-core)."""

import pytest
from django.test import Client

from tests.integration.test_learner_page_budgets import ANONYMOUS_PAGES, learner_pages
from tests.integration.test_learner_page_budgets import site as site

from .axe import assert_no_serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Every tappable element is at least 44×44 CSS px (WCAG 2.5.8 is the floor; 44 px is a thumb) and
# at least 8 px from its neighbours. A link inside a sentence is exempt (WCAG's inline exception).
TAP_TARGETS = """() => {
  const sel = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  const shown = (el) => {
    const r = el.getBoundingClientRect(), st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== "hidden" && !el.closest("[hidden]")
      && r.bottom > 0 && r.right > 0 && r.left < innerWidth;
  };
  const inSentence = (el) => {
    if (el.tagName !== "A") return false;
    const block = el.closest("p, li, dd, td, figcaption, label");
    return !!block && block.textContent.trim().length > el.textContent.trim().length + 1;
  };
  const label = (el) => `${el.tagName.toLowerCase()} "${(el.textContent || el.value || el.name
    || el.getAttribute("aria-label") || "").trim().slice(0, 30)}"`;
  const targets = [...document.querySelectorAll(sel)]
    .filter((el) => shown(el) && !inSentence(el) && !el.closest(".skip-link"))
    // A control inside a larger target (a checkbox in its label, a link in a card) counts once.
    .map((el) => el.closest("label") && el.matches("input") ? el.closest("label") : el);
  const unique = [...new Set(targets)];
  const problems = [];
  const boxes = unique.map((el) => [el, el.getBoundingClientRect()]);
  for (const [el, r] of boxes) {
    if (r.width < 44 - 0.5 || r.height < 44 - 0.5) {
      problems.push(`${label(el)} is ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const dx = Math.max(0, Math.max(ra.left, rb.left) - Math.min(ra.right, rb.right));
      const dy = Math.max(0, Math.max(ra.top, rb.top) - Math.min(ra.bottom, rb.bottom));
      const gap = Math.max(dx, dy);
      if (gap < 7.5) problems.push(`${label(a)} and ${label(b)}: ${Math.round(gap)}px apart`);
    }
  }
  return problems;
}"""


def check_tap_targets(page, name: str) -> None:
    problems = page.evaluate(TAP_TARGETS)
    assert not problems, f"{name}: " + "; ".join(problems)


def check_fits_the_phone(page, name: str) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: {overflow}px wider than the 360px screen"
    assert page.locator("h1").count() >= 1, f"{name}: no heading"
    assert_no_serious_axe_violations(page)
    check_tap_targets(page, name)


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
