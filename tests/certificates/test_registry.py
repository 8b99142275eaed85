"""Officers revoke and re-issue within their region only; learners can do neither."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learners.certificates import services
from learners.certificates.models import Certificate, PrintBatch

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(django_capture_on_commit_callbacks):
    campaign = factories.campaign_in("610924000000")
    cohort = factories.cohort_in(campaign, "610924100201")
    enrollment = factories.completed_enrollment(campaign=campaign, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)
    return enrollment.certificates.get()


def test_revoke_records_who_when_and_why(certificate):
    officer = factories.officer(certificate.office)

    revoked = services.certificate_revoke(certificate=certificate, by=officer, reason="信息有误")

    assert revoked.status == "revoked"
    assert revoked.revoked_by == officer and revoked.revoke_reason == "信息有误"
    assert revoked.revoked_at is not None


def test_revoke_without_a_reason_is_refused(certificate):
    officer = factories.officer(certificate.office)

    with pytest.raises(ValidationError) as error:
        services.certificate_revoke(certificate=certificate, by=officer, reason="  ")

    assert services.REVOKE_REASON_REQUIRED in error.value.message_dict["reason"]
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_officer_cannot_revoke_outside_their_region(certificate):
    other_office = factories.office(county_code="610925000000", name="汉阴县农业农村局")
    outsider = factories.officer(other_office)

    with pytest.raises(PermissionDenied):
        services.certificate_revoke(certificate=certificate, by=outsider, reason="越权")

    certificate.refresh_from_db()
    assert certificate.is_valid


def test_learner_cannot_revoke(certificate):
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(
            certificate=certificate, by=certificate.learner, reason="我自己"
        )


def test_reissue_revokes_the_old_and_issues_a_new_code(
    certificate, django_capture_on_commit_callbacks
):
    officer = factories.officer(certificate.office)

    with django_capture_on_commit_callbacks(execute=True):
        new = services.certificate_reissue(
            certificate=certificate, by=officer, learner_name="吉野家明", reason="姓名更正"
        )

    certificate.refresh_from_db()
    new.refresh_from_db()
    assert certificate.status == "revoked" and certificate.replaced_by == new
    assert new.code != certificate.code and new.is_valid and new.is_ready
    assert new.learner_name == "吉野家明"
    assert Certificate.objects.live().filter(learner=certificate.learner).count() == 1


def test_reissue_with_the_same_name_is_refused(certificate):
    officer = factories.officer(certificate.office)

    with pytest.raises(ValidationError):
        services.certificate_reissue(
            certificate=certificate,
            by=officer,
            learner_name=certificate.learner_name,
            reason="无变化",
        )


def test_registry_lists_only_the_officers_region(client, certificate):
    other_office = factories.office(county_code="610925000000", name="汉阴县农业农村局")
    outsider = factories.officer(other_office)
    insider = factories.officer(certificate.office)

    client.force_login(insider)
    assert certificate.code in client.get("/admin/certificate_registry/").content.decode()
    client.force_login(outsider)
    response = client.get("/admin/certificate_registry/")
    assert response.status_code == 200
    assert certificate.code not in response.content.decode()
    assert client.get(f"/admin/certificate_registry/{certificate.pk}/revoke/").status_code == 404


def test_registry_search_by_code_and_filter_by_status(client, certificate):
    client.force_login(factories.administrator())

    found = client.get("/admin/certificate_registry/", {"q": certificate.code})
    revoked_only = client.get("/admin/certificate_registry/", {"status": "revoked"})

    assert certificate.code in found.content.decode()
    assert certificate.code not in revoked_only.content.decode()


def test_registry_filters_by_region_code_including_places_below(client, certificate):
    client.force_login(factories.administrator())

    county = client.get("/admin/certificate_registry/", {"region": "610924000000"})
    other = client.get("/admin/certificate_registry/", {"region": "610925000000"})

    assert certificate.code in county.content.decode()
    assert certificate.code not in other.content.decode()


def test_revoke_form_requires_a_reason(client, certificate):
    client.force_login(factories.officer(certificate.office))

    response = client.post(f"/admin/certificate_registry/{certificate.pk}/revoke/", {"reason": ""})

    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_revoke_form_revokes(client, certificate):
    client.force_login(factories.officer(certificate.office))

    response = client.post(
        f"/admin/certificate_registry/{certificate.pk}/revoke/", {"reason": "重复"}
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_learner_cannot_open_the_registry(client, certificate):
    client.force_login(certificate.learner)

    assert client.get("/admin/certificate_registry/").status_code in {302, 403}
    response = client.post(f"/admin/certificate_registry/{certificate.pk}/revoke/", {"reason": "x"})
    assert response.status_code in {302, 403}
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_bulk_print_of_a_village_is_one_pdf_with_a_page_each(
    client, certificate, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    second = factories.completed_enrollment(
        campaign=certificate.campaign, cohort=certificate.cohort, name="王堃"
    )
    services.certificate_issue(enrollment_id=second.pk)
    client.force_login(factories.officer(certificate.office))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/certificate_registry/print/", {"village_code": "610924100201"}
        )

    batch = PrintBatch.objects.get()
    assert response.status_code == 302
    assert batch.state == "ready" and batch.done == batch.total == 2
    assert len(PdfReader(batch.pdf.open("rb")).pages) == 2
    status = client.get(f"/admin/certificate_registry/print/{batch.pk}/").content.decode()
    assert 'data-state="ready"' in status


def test_bulk_print_outside_the_region_finds_nothing(client, certificate):
    other_office = factories.office(county_code="610925000000", name="汉阴县农业农村局")
    client.force_login(factories.officer(other_office))

    response = client.post("/admin/certificate_registry/print/", {"village_code": "610924100201"})

    assert response.status_code == 200
    assert not PrintBatch.objects.exists()
