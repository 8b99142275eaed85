"""Registry actions in reach: every row and the inspect page offer inspect, print, revoke and
re-issue; the list prints what its filters show after a confirmation; a cohort links to both."""

import pytest
from django.urls import reverse

from learners.certificates import services
from learners.certificates.models import PrintBatch

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificates(django_capture_on_commit_callbacks):
    """Two rendered certificates in one cohort, a third in another cohort of the same county."""
    campaign = factories.campaign_in("610924000000")
    cohort = factories.cohort_in(campaign, "610924100201")
    other_cohort = factories.cohort_in(campaign, "610924100201")
    made = []
    for name, its_cohort in (("秦岭松", cohort), ("汉江水", cohort), ("巴山雪", other_cohort)):
        enrollment = factories.completed_enrollment(campaign=campaign, cohort=its_cohort, name=name)
        with django_capture_on_commit_callbacks(execute=True):
            services.certificate_request(enrollment_id=enrollment.pk)
        made.append(enrollment.certificates.get())
    return made


def test_each_registry_row_offers_inspect_print_revoke_and_reissue(client, certificates):
    first = certificates[0]
    first.refresh_from_db()
    assert first.pdf  # rendered by the worker
    client.force_login(factories.officer(first.office))
    page = client.get(reverse("certificate_registry:index")).content.decode()
    assert reverse("certificate_registry:inspect", args=[first.pk]) in page
    assert reverse("certificates:pdf", args=[first.code]) in page
    assert reverse("certificate_registry:revoke", args=[first.pk]) in page
    assert reverse("certificate_registry:reissue", args=[first.pk]) in page


def test_inspect_page_offers_the_same_actions(client, certificates):
    first = certificates[0]
    client.force_login(factories.officer(first.office))
    page = client.get(reverse("certificate_registry:inspect", args=[first.pk])).content.decode()
    assert reverse("certificates:pdf", args=[first.code]) in page
    assert reverse("certificate_registry:revoke", args=[first.pk]) in page
    assert reverse("certificate_registry:reissue", args=[first.pk]) in page


def test_a_revoked_certificate_offers_no_print_revoke_or_reissue(client, certificates):
    first = certificates[0]
    officer = factories.officer(first.office)
    services.certificate_revoke(certificate=first, by=officer, reason="重复发放")
    client.force_login(officer)
    page = client.get(reverse("certificate_registry:inspect", args=[first.pk])).content.decode()
    assert reverse("certificates:pdf", args=[first.code]) not in page
    assert reverse("certificate_registry:revoke", args=[first.pk]) not in page


def test_list_print_button_carries_the_current_filters(client, certificates):
    cohort = certificates[0].cohort
    client.force_login(factories.officer(certificates[0].office))
    page = client.get(reverse("certificate_registry:index"), {"cohort": cohort.pk}).content
    assert f"/admin/certificate_registry/print/?cohort={cohort.pk}".encode() in page


def test_printing_the_filtered_list_asks_first_then_prints_exactly_those(
    client, certificates, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    cohort = certificates[0].cohort
    client.force_login(factories.officer(certificates[0].office))
    confirm = client.get(reverse("certificate_registry:print"), {"cohort": cohort.pk})
    assert confirm.status_code == 200
    assert "打印列表中的 2 张有效证书" in confirm.content.decode()
    assert not PrintBatch.objects.exists()  # nothing happens before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certificate_registry:print"), {"from_list": "1", "cohort": cohort.pk}
        )

    batch = PrintBatch.objects.get()
    assert response.status_code == 302
    assert batch.filters == {"cohort": str(cohort.pk)}
    assert batch.state == "ready" and batch.total == 2
    assert len(PdfReader(batch.pdf.open("rb")).pages) == 2


def test_printing_a_list_with_nothing_valid_says_so_and_builds_nothing(client, certificates):
    client.force_login(factories.officer(certificates[0].office))
    response = client.post(
        reverse("certificate_registry:print"), {"from_list": "1", "q": "没有这个人"}, follow=True
    )
    assert not PrintBatch.objects.exists()
    assert str(services.NOTHING_TO_PRINT) in response.content.decode()


def test_an_officer_elsewhere_cannot_print_another_regions_list(client, certificates):
    other_office = factories.office(county_code="610925000000", name="汉阴县农业农村局")
    client.force_login(factories.officer(other_office))
    cohort = certificates[0].cohort
    confirm = client.get(reverse("certificate_registry:print"), {"cohort": cohort.pk})
    assert "秦岭松" not in confirm.content.decode()
    client.post(reverse("certificate_registry:print"), {"from_list": "1", "cohort": cohort.pk})
    assert not PrintBatch.objects.exists()


def test_cohort_page_links_to_its_certificates_and_their_print(client, certificates):
    cohort = certificates[0].cohort
    client.force_login(factories.officer(certificates[0].office))
    page = client.get(reverse("cohorts:inspect", args=[cohort.pk])).content.decode()
    assert f"/admin/certificate_registry/?cohort={cohort.pk}" in page
    assert f"/admin/certificate_registry/print/?cohort={cohort.pk}" in page
    listing = client.get(reverse("certificate_registry:index"), {"cohort": cohort.pk})
    assert "秦岭松" in listing.content.decode() and "巴山雪" not in listing.content.decode()


def test_a_certificate_is_placed_in_the_learners_own_village(django_capture_on_commit_callbacks):
    """Without a cohort, the certificate belongs to the learner's village, not to the campaign's
    whole region: an office of that village finds it in its registry."""
    campaign = factories.campaign_in("610924000000")
    enrollment = factories.completed_enrollment(campaign=campaign, name="村里人")
    profile = enrollment.learner.learner_profile
    profile.village_code = "610924100201"
    profile.save(update_fields=["village_code"])
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)
    certificate = enrollment.certificates.get()
    assert certificate.region.code == "610924100201"
    village_office = factories.office(county_code="610924100201", name="池河村办")
    from learners.certificates.selectors import certificates_visible

    assert list(certificates_visible(user=factories.officer(village_office))) == [certificate]
