"""Retake the README screenshots from a running demo site (`make run` in another terminal).

    .venv/bin/python docs/screenshots/take.py [http://127.0.0.1:8000]

Uses Debian's Chromium (`apt-get install chromium`) via Playwright; writes PNGs beside this file.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
PASSWORD = "demo-pass-2026"  # noqa: S105 (the public demo password, see the README)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True}


def sign_in(page, username: str, next_url: str) -> None:
    page.goto(f"{BASE}/accounts/login/?next={next_url}")
    page.locator("details.staff-login summary").click()
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.locator("details.staff-login button[type=submit]").click()
    page.wait_for_load_state()


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        phone = browser.new_context(locale="zh-CN", **PHONE).new_page()
        phone.goto(f"{BASE}/")
        phone.screenshot(path=HERE / "home-phone.png")

        sign_in(phone, "learner", "/courses/online-safety/fraud-calls-and-sms/")
        start = phone.locator("form.start-course button").first
        if start.count():  # not started yet: start the course (back to this lesson)
            with phone.expect_navigation():
                start.click()
        phone.screenshot(path=HERE / "lesson-phone.png")
        quiz = phone.locator("#quiz")
        for _ in range(10):  # steps come one per screen; the quiz follows the last one
            if quiz.is_visible():
                break
            phone.get_by_role("button", name="下一步").click()
        quiz.scroll_into_view_if_needed()
        quiz.locator("input[type=radio]").first.check()
        quiz.locator("button.check-answer").first.click()
        phone.wait_for_timeout(300)
        quiz.locator(".question-after").first.scroll_into_view_if_needed()
        phone.screenshot(path=HERE / "quiz-phone.png")
        phone.goto(f"{BASE}/me/")
        phone.screenshot(path=HERE / "me-phone.png")

        tablet = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768})
        desk = tablet.new_page()
        sign_in(desk, "officer", "/admin/")
        desk.goto(f"{BASE}/admin/campaigns/")
        desk.locator("a[href*='/dashboard/']").first.click()
        desk.wait_for_load_state()
        desk.screenshot(path=HERE / "dashboard-tablet.png", full_page=True)
        browser.close()
    print(f"Screenshots written to {HERE}")


if __name__ == "__main__":
    main()
