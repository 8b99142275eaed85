"""The public verification page on a farmer's phone (360×740, Chromium)."""

import pytest

from learners.certificates import services
from tests.browser.axe import assert_no_serious_axe_violations

from . import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def certificate(transactional_db):
    campaign = factories.campaign_in()
    enrollment = factories.completed_enrollment(campaign=campaign, name="张三明")
    issued = services.certificate_issue(enrollment_id=enrollment.pk)
    return services.certificate_render(certificate_id=issued.pk)


def test_scanned_code_opens_a_phone_sized_page_saying_valid_with_masked_name(
    phone, live_server, certificate
):
    response = phone.goto(f"{live_server.url}/c/{certificate.code}")

    assert response.status == 200
    assert phone.locator("#certificate-status").inner_text() == "证书有效"
    assert phone.locator("[data-field=name]").inner_text() == "张*明"
    assert "张三明" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert all(url.startswith(live_server.url) for url in phone.requested_urls)
    assert_no_serious_axe_violations(phone)


def test_revoked_certificate_page_says_revoked_and_offers_no_download(
    phone, live_server, certificate
):
    # Transactional tests flush the role groups the data migration made: use a superuser.
    admin = factories.UserFactory(is_superuser=True)
    services.certificate_revoke(certificate=certificate, by=admin, reason="重复发放")

    phone.goto(f"{live_server.url}/c/{certificate.code}")

    assert phone.locator("#certificate-status").inner_text().startswith("已于")
    assert phone.locator("a[href$='.pdf']").count() == 0


def test_unknown_code_shows_not_found(phone, live_server, certificate):
    response = phone.goto(f"{live_server.url}/c/1234567890123456")

    assert response.status == 404
