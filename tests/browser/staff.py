"""Signing staff (and password learners) in through the site's own login page, as a person would."""


def sign_in_with_password(page, base, username, password, next_url):
    """The login page's staff form: user name and password, then wait for the page it leads to."""
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.locator("details.staff-login summary").click()
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("details.staff-login button[type=submit]").click()
    page.wait_for_load_state()
