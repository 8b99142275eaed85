"""A trainer previews a lesson that has never been saved (the preview panel of "Add lesson")."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from tests.accounts.factories import UserFactory

from .factories import LessonMediaFactory

pytestmark = pytest.mark.django_db


def test_preview_of_an_unsaved_lesson_with_a_quiz_renders_the_lesson_and_its_quiz(client, course):
    trainer = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:preview_on_add", args=("courses", "lessonpage", course.pk))
    data = nested_form_data(
        {
            "title": "认识手机相册",
            "slug": "photo-album",
            "summary": "找照片。",
            "estimated_minutes": 3,
            "narration": LessonMediaFactory().pk,
            "body": streamfield([("text", rich_text("<p>打开<b>相册</b>。</p>"))]),
            "quiz": streamfield(
                [
                    (
                        "true_false",
                        {
                            "prompt": "照片可以随便发给陌生人。",
                            "image": "",
                            "image_alt": "",
                            "audio": "",
                            "explanation": "",
                            "correct_answer": "false",
                            "feedback_true": "",
                            "feedback_false": "",
                        },
                    )
                ]
            ),
        }
    )
    posted = client.post(url, data)
    assert posted.json() == {"is_valid": True, "is_available": True}

    response = client.get(url, {"mode": ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert "认识手机相册" in html
    assert "照片可以随便发给陌生人。" in html
    # The admin's preview panel frames it: same origin only, never other sites.
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
