"""A learner sees their certificates on My learning: pending while it renders, then ready."""

import pytest

from learners.certificates import services
from learners.certificates.models import Certificate
from learners.certificates.selectors import certificates_for_learner

from . import factories

pytestmark = pytest.mark.django_db


def test_certificate_is_pending_until_rendered_then_ready_with_links(client, monkeypatch):
    from learners.certificates import tasks

    monkeypatch.setattr(tasks.certificate_make_task, "apply_async", lambda *a, **k: None)
    enrollment = factories.completed_enrollment(name="赵玥")
    services.certificate_request(enrollment_id=enrollment.pk)
    client.force_login(enrollment.learner)

    pending = client.get("/me/").content.decode()
    assert 'data-state="pending"' in pending
    assert "证书正在生成" in pending

    services.certificate_make(enrollment_id=enrollment.pk)
    ready = client.get("/me/").content.decode()
    certificate = Certificate.objects.get()
    assert 'data-state="ready"' in ready
    assert f"/c/{certificate.code}.pdf" in ready
    assert f"/c/{certificate.code}.png" in ready
    assert f"/c/{certificate.code}" in ready


def test_a_learner_sees_only_their_own_certificates(client):
    mine = factories.completed_enrollment(name="王堃")
    theirs = factories.completed_enrollment(name="李昇")
    services.certificate_issue(enrollment_id=mine.pk)
    other = services.certificate_issue(enrollment_id=theirs.pk)
    client.force_login(mine.learner)

    page = client.get("/me/").content.decode()

    assert other.code not in page
    assert "李昇" not in page
    assert [row.certificate.learner_id for row in certificates_for_learner(mine.learner)] == [
        mine.learner_id
    ]


def test_a_revoked_certificate_stays_on_my_learning_marked_revoked_without_downloads(client):
    enrollment = factories.completed_enrollment(name="赵玥")
    certificate = services.certificate_issue(enrollment_id=enrollment.pk)
    services.certificate_revoke(
        certificate=certificate, by=factories.administrator(), reason="培训记录有误"
    )
    client.force_login(enrollment.learner)

    page = client.get("/me/").content.decode()

    assert page.count('data-state="revoked"') == 1
    assert "撤销" in page and "培训记录有误" in page
    assert "这张证书已经失效" in page
    assert f"/c/{certificate.code}.pdf" not in page
    assert f"/c/{certificate.code}.png" not in page
    assert 'data-state="ready"' not in page


def test_a_reissued_certificate_replaces_the_revoked_card(client):
    enrollment = factories.completed_enrollment(name="李昇")
    old = services.certificate_issue(enrollment_id=enrollment.pk)
    new = services.certificate_reissue(
        certificate=old, by=factories.administrator(), learner_name="李昇明", reason="名字写错"
    )

    rows = certificates_for_learner(enrollment.learner)

    assert [row.certificate.pk for row in rows] == [new.pk]
    assert not rows[0].is_revoked


def test_requesting_a_certificate_costs_the_completion_transaction_one_query(
    django_assert_num_queries,
):
    enrollment = factories.completed_enrollment()

    with django_assert_num_queries(1):
        services.certificate_request(enrollment_id=enrollment.pk)


def test_learner_list_query_count_does_not_grow_with_certificates(django_assert_max_num_queries):
    user = factories.learner()
    from learners.services import enrollment_create
    from tests.learners.factories import make_course

    for title in ["一", "二", "三"]:
        enrollment = enrollment_create(learner=user, course=make_course(lessons=1, title=title))
        enrollment.completed_at = enrollment.enrolled_at
        enrollment.save()
        services.certificate_issue(enrollment_id=enrollment.pk)

    with django_assert_max_num_queries(2):
        assert len(certificates_for_learner(user)) == 3
