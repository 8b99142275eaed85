"""Scripts and style sheets under /static/ go out without the page policies (decision 0136);
documents, pictures and the service worker keep them."""

import pytest


def test_a_static_script_has_no_page_policies_but_keeps_nosniff(client):
    response = client.get("/static/learners/js/app.js")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert "Permissions-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/sw.js", "/static/learners/icon.svg", "/offline/"])
def test_the_worker_pictures_and_pages_keep_their_policies(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "script-src" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_json_gets_the_strictest_policy_and_no_page_headers(client):
    from tests.learners.factories import make_course

    course = make_course(lessons=1, questions=0)
    response = client.get(f"/api/courses/{course.pk}/offline.json")
    assert response.status_code == 200
    policy = sorted(part.strip() for part in response["Content-Security-Policy"].split(";"))
    assert policy == ["default-src 'none'", "frame-ancestors 'none'"]
    assert "Permissions-Policy" not in response
    assert "X-Frame-Options" not in response  # frame-ancestors 'none' says it
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_page_policy_names_only_what_differs_from_default_src(client):
    policy = client.get("/offline/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    for implied in ("connect-src", "font-src", "manifest-src", "worker-src"):
        assert implied not in policy
