"""A trainer writes a lesson in the Wagtail admin, previews it at phone width and submits it;
a program officer approves and publishes it; learners can then open it."""

import pytest
from django.core.files.base import ContentFile
from wagtail.models import Locale

from core.demo import DEMO_PASSWORD
from core.roles import course_media
from courses.models import CourseIndexPage, CoursePage, LessonMedia, LessonPage
from courses.selectors import lesson_quiz_key
from tests.demo_snapshot import load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

DESK = {"width": 1280, "height": 900}


@pytest.fixture
def demo_site(transactional_db):
    load_demo()
    # Where a trainer's uploads go and the only collection trainers choose from (decision 0120).
    narration = LessonMedia(title="相册讲解", type="audio", duration=3, collection=course_media())
    narration.file.save("album.mp3", ContentFile(b"ID3" + b"\0" * 1024), save=False)
    narration.save()
    return narration


@pytest.fixture
def desk(chromium, live_server):
    context = chromium.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/en/accounts/login/?next=/admin/")
    page.locator("details.staff-login summary").click()
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("details.staff-login button[type=submit]").click()
    page.wait_for_url(f"{base}/admin/")


def add_block(page, field: str, label: str) -> None:
    page.locator(f'[data-contentpath="{field}"] button.c-sf-add-button').last.click()
    page.get_by_role("option", name=label, exact=True).click()


def submit_for_moderation(page) -> None:
    # Wagtail 8 autosaves a new page as it is written: the first autosave creates it, then the
    # editor turns into the page's edit view. A submit while that save is in flight lands on the
    # old add view, whose slug is now taken (seen once in CI). As a trainer would, wait until the
    # indicator no longer says "saving".
    page.wait_for_function(
        "() => document.getElementById('w-autosave-indicator')?.dataset.wAutosaveStateValue"
        " !== 'saving'"
    )
    page.locator("footer [data-w-dropdown-target=toggle]").last.click()
    # Wait for the post's answer (the explorer with Wagtail's message), not the page already shown.
    with page.expect_navigation():
        page.locator("button[name=action-submit]").click()
    page.locator(".messages").filter(has_text="审核").wait_for()


def test_trainer_writes_previews_and_submits_a_lesson_and_a_reviewer_publishes_it(
    desk, live_server, demo_site
):
    base = live_server.url
    zh = Locale.objects.get(language_code="zh-hans")
    index = CourseIndexPage.objects.get(locale=zh)
    sign_in(desk, base, "trainer")

    # The course.
    desk.goto(f"{base}/admin/pages/add/courses/coursepage/{index.pk}/")
    desk.fill("#id_title", "手机相册")
    desk.fill("#id_summary", "学会找照片、删照片。")
    submit_for_moderation(desk)
    # The slug follows the title (Wagtail's own slug sync, Unicode slugs allowed): find by title.
    course = CoursePage.objects.get(title="手机相册", locale=zh)
    assert not course.live and course.current_workflow_state is not None

    # The lesson: a picture with alt text, a scam-alert callout, two questions, narration.
    desk.goto(f"{base}/admin/pages/add/courses/lessonpage/{course.pk}/")
    desk.fill("#id_title", "认识手机相册")
    add_block(desk, "body", "图片")
    desk.locator('[data-contentpath="body"] .chooser__choose-button').first.click()
    desk.locator(
        ".modal-dialog a.image-choice, .modal-dialog [data-chooser-modal-choice]"
    ).first.click()
    desk.fill("#body-0-value-alt_text", "手机相册里的照片")
    add_block(desk, "body", "提示框")
    desk.select_option("#body-1-value-kind", "scam")
    desk.locator('[data-contentpath="body"] [contenteditable=true]').last.click()
    desk.keyboard.type("不要把照片发给陌生人。")
    add_block(desk, "quiz", "单选题")
    desk.fill("#quiz-0-value-prompt", "照片存在哪里？")
    desk.fill("#quiz-0-value-choices-0-value-text", "相册")
    desk.check("#quiz-0-value-choices-0-value-is_correct")
    desk.locator(
        '[data-contentpath="quiz"] [data-contentpath="choices"] button.c-sf-add-button'
    ).last.click()
    desk.fill("#quiz-0-value-choices-1-value-text", "计算器")
    add_block(desk, "quiz", "判断题")
    desk.fill("#quiz-1-value-prompt", "照片可以随便发给陌生人。")
    desk.select_option("#quiz-1-value-correct_answer", "false")
    # The narration field is the audio chooser (wagtailmedia's modal), not a drop-down.
    desk.locator("#id_narration-chooser [data-chooser-action-choose]").first.click()
    desk.locator(".modal-dialog a.media-choice", has_text=demo_site.title).first.click()
    desk.wait_for_function("() => document.getElementById('id_narration').value !== ''")

    # The preview panel opens at phone width (360 px) and renders the lesson.
    desk.locator('button[data-side-panel-toggle="preview"]').click()
    iframe = desk.locator("[data-w-preview-target=iframe]").first
    iframe.wait_for(state="attached")
    desk.wait_for_function(
        "() => document.querySelector('[data-w-preview-target=iframe]').src.includes('preview')"
    )
    assert desk.locator("input[name=preview-size][value=mobile]").first.is_checked()
    # The admin is framed SAMEORIGIN (cms.security), so the panel itself shows the lesson.
    preview = desk.frame_locator("[data-w-preview-target=iframe]").first
    preview.locator("h1", has_text="认识手机相册").wait_for()
    assert preview.locator(".callout--scam").count() == 1
    assert preview.locator("img[alt='手机相册里的照片']").count() == 1
    assert iframe.evaluate("el => el.getBoundingClientRect().width") <= 400

    submit_for_moderation(desk)
    lesson = LessonPage.objects.get(title="认识手机相册", locale=zh)
    assert not lesson.live and lesson.current_workflow_state is not None

    # Learners cannot see it yet.
    url = f"{base}/courses/{course.slug}/{lesson.slug}/"
    desk.context.clear_cookies()
    assert desk.goto(url).status == 404

    # A program officer approves (and so publishes) both pages.
    sign_in(desk, base, "officer")
    for page in (course, lesson):
        desk.goto(f"{base}/admin/pages/{page.pk}/edit/")
        desk.locator("footer [data-w-dropdown-target=toggle]").last.click()
        approve = "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
        with desk.expect_navigation():
            desk.locator(approve).first.click()
        desk.wait_for_load_state()
    lesson.refresh_from_db()
    assert lesson.live

    desk.context.clear_cookies()
    response = desk.goto(url)
    assert response.status == 200
    assert desk.locator("h1", has_text="认识手机相册").count() == 1
    assert desk.locator("img[alt='手机相册里的照片']").count() == 1
    assert len(lesson_quiz_key(lesson.specific)) == 2
