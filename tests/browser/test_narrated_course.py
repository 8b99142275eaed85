"""Issue 13 acceptance: a narrated course from a blank page to a learner's phone, with the Trainer
role alone and through the admin's screens only.

A trainer (whose only group is Trainers) uploads an audio file and a video, writes a course with
two lessons using every lesson block type (a scenario with a screenshot included), records the
narration with Chromium's fake microphone, sees the authoring checks refuse the course in Chinese,
fixes each problem, previews a lesson at 360 px and submits the course once. A Program officer
approves it once. A learner opens a lesson at 360×740 and its narration plays.
"""

import io
import re
from pathlib import Path

import av
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from wagtail.models import Locale

from courses.models import CourseIndexPage, CoursePage, LessonMedia, LessonPage
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, PHONE
from tests.courses.audio_files import wav_bytes
from tests.demo_snapshot import load_demo

from .test_authoring import DESK, add_block, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIC_FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
ALT_TEXT_MISSING = "请为看不到图片的人描述图片（替代文字）"
NO_RIGHT_ANSWER = "请标出正确答案。"
NO_SOUND = "请为本课添加整课讲解录音"


@pytest.fixture(scope="module")
def mic_chromium(playwright_driver):
    """Chromium with a fake microphone that the page may use without a prompt."""
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, *MIC_FLAGS]
    )
    yield browser
    browser.close()


@pytest.fixture
def desk(mic_chromium, live_server):
    context = mic_chromium.new_context(viewport=DESK, locale="zh-CN")
    context.grant_permissions(["microphone"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """An audio file and a short video, as a trainer would have them on their computer."""
    audio = tmp_path / "开场白.wav"
    audio.write_bytes(wav_bytes(3))
    video = tmp_path / "操作演示.mp4"
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for n in range(10):
            frame = av.VideoFrame(320, 240, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([n * 20 % 256]) * plane.buffer_size)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    video.write_bytes(buffer.getvalue())
    return {"audio": audio, "video": video}


def upload_media(page, base: str, kind: str, title: str, path: Path) -> None:
    """The media library's upload form (音频 / 视频)."""
    page.goto(f"{base}/admin/media/{kind}/add/")
    page.fill("#id_title", title)
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.locator("form[enctype] button[type=submit]").first.click()
    assert "/admin/media/" in page.url and "/add/" not in page.url, page.url


def choose(page, field_id: str, title: str | None = None) -> None:
    """Open the chooser of `field_id` and pick the item called `title` (or the first one).

    The live server runs on an in-memory SQLite database shared between threads: a chooser
    request that meets the editor's background save (editing sessions) can fail with "database
    table is locked". A person would close the dialog and open it again; so does this helper.
    """
    modal = page.locator(".modal-dialog")
    if title is None:
        choice = modal.locator("a.image-choice, [data-chooser-modal-choice]").first
    else:
        choice = modal.locator("a.media-choice", has_text=title).first
    for attempt in range(3):
        page.locator(f"#{field_id}-chooser [data-chooser-action-choose]").first.click()
        try:
            choice.click(timeout=8_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            modal.wait_for(state="hidden")
            page.wait_for_function(
                f"() => !document.querySelector('#{field_id}-chooser "
                "[data-chooser-action-choose]').disabled",
                timeout=5_000,
            )
    page.wait_for_function(
        f"() => document.getElementById({field_id!r}).value !== ''", timeout=10_000
    )
    modal.wait_for(state="hidden")


def rich_text(page, field: str, text: str) -> None:
    """Type into the last Draftail editor of a StreamField block."""
    page.locator(f"[data-contentpath='{field}'] [contenteditable=true]").last.click()
    page.keyboard.type(text)


def add_list_item(page, first_item_field_id: str) -> None:
    """Add an item to the list (choices, steps) that holds the field `first_item_field_id`."""
    page.locator(f"#{first_item_field_id}").locator(
        "xpath=ancestor::*[@data-contentpath='choices' or @data-contentpath='steps'][1]"
    ).locator("button.c-sf-add-button").last.click()


def save_draft(page) -> None:
    """The editor's main button (保存草稿); the editor must come back without errors."""
    # A new page's slug is filled from its title by Wagtail's script when the title is typed: on a
    # loaded machine, wait for it as a person would before pressing save.
    page.wait_for_function(
        "() => { const s = document.querySelector('#id_slug'); return !s || s.value !== ''; }"
    )
    with page.expect_navigation():
        page.locator("footer button.action-save").first.click()
    page.wait_for_load_state()
    errors = page.locator(".help-critical, .error-message, .w-field__errors p")
    assert "/edit/" in page.url, errors.all_inner_texts()


def record_narration(page, seconds: float = 2.5) -> str:
    """Record with the fake microphone beside the narration chooser, listen back, keep it."""
    recorder = page.locator("#id_narration-chooser + .dvc-recorder")
    recorder.locator("[data-recorder-start]").click()
    recorder.locator("[data-recorder-stop]").wait_for(state="visible")
    page.wait_for_timeout(seconds * 1000)
    recorder.locator("[data-recorder-stop]").click()
    playback = recorder.locator("[data-recorder-playback]")
    playback.wait_for(state="visible")
    assert playback.evaluate("el => el.src.startsWith('blob:')")
    recorder.locator("[data-recorder-keep]").click()
    status = recorder.locator("[data-recorder-status]")
    page.wait_for_function(
        "el => el.textContent.startsWith('已保存')", arg=status.element_handle(), timeout=30_000
    )
    assert page.locator("#id_narration").input_value() != ""
    return status.inner_text()


def course_submit_page(page, base: str, course: CoursePage) -> None:
    """From the course editor, the action menu's "submit the whole course" entry."""
    page.goto(f"{base}/admin/pages/{course.pk}/edit/")
    page.locator("footer [data-w-dropdown-target=toggle]").last.click()
    page.locator(
        "footer a[href$='/submit/'], footer button", has_text="提交整门课程审核"
    ).first.click()
    page.wait_for_url(re.compile(rf"/admin/courses/{course.pk}/submit/"))


def _warm_image_renditions() -> None:
    """Make the thumbnails and phone sizes of the demo pictures now, as a running site would
    have them: the live server's in-memory SQLite cannot create them in two threads at once
    ("database table is locked"), which a real database does not suffer from."""
    from wagtail.images import get_image_model

    for image in get_image_model().objects.order_by("-created_at")[:10]:
        image.get_rendition("max-165x165")
    first = get_image_model().objects.order_by("-created_at").first()
    first.get_renditions(
        *(f"width-{w}|format-{f}" for w in (360, 540, 720) for f in ("avif", "webp", "jpeg"))
    )


def test_trainer_narrates_a_course_and_a_learner_hears_it(desk, mic_chromium, live_server, files):
    load_demo()
    _warm_image_renditions()
    trainer = get_user_model().objects.get(username="trainer")
    assert [g.name for g in trainer.groups.all()] == ["Trainers"]
    assert not trainer.is_superuser and not trainer.user_permissions.exists()
    base = live_server.url
    zh = Locale.objects.get(language_code="zh-hans")
    index = CourseIndexPage.objects.get(locale=zh)
    sign_in(desk, base, "trainer")

    # Audio and video through the media library.
    upload_media(desk, base, "audio", "相册开场白", files["audio"])
    upload_media(desk, base, "video", "相册操作演示", files["video"])
    uploaded = LessonMedia.objects.get(title="相册开场白")
    assert uploaded.file.name.endswith(".m4a") and uploaded.uploaded_by_user == trainer

    # The course, saved as a draft.
    desk.goto(f"{base}/admin/pages/add/courses/coursepage/{index.pk}/")
    desk.fill("#id_title", "手机相册与防骗")
    desk.fill("#id_summary", "找照片、发视频、认出骗局。")
    save_draft(desk)
    course = CoursePage.objects.get(title="手机相册与防骗", locale=zh)

    # Lesson 1: text, picture, audio clip, video, callout; a single- and a multiple-choice
    # question (the second without a right answer yet).
    desk.goto(f"{base}/admin/pages/add/courses/lessonpage/{course.pk}/")
    desk.fill("#id_title", "认识手机相册")
    add_block(desk, "body", "文字")
    rich_text(desk, "body", "打开相册，就能看到拍过的照片。")
    add_block(desk, "body", "图片")
    choose(desk, "body-1-value-image")
    desk.fill("#body-1-value-alt_text", "手机相册里的照片")
    add_block(desk, "body", "音频")
    choose(desk, "body-2-value-audio", "相册开场白")
    add_block(desk, "body", "视频")
    choose(desk, "body-3-value-video", "相册操作演示")
    add_block(desk, "body", "提示框")
    desk.select_option("#body-4-value-kind", "scam")
    rich_text(desk, "body", "不要把照片发给陌生人。")
    add_block(desk, "quiz", "单选题")
    desk.fill("#quiz-0-value-prompt", "照片存在哪里？")
    desk.fill("#quiz-0-value-choices-0-value-text", "相册")
    desk.check("#quiz-0-value-choices-0-value-is_correct")
    add_list_item(desk, "quiz-0-value-choices-0-value-text")
    desk.fill("#quiz-0-value-choices-1-value-text", "计算器")
    add_block(desk, "quiz", "多选题")
    desk.fill("#quiz-1-value-prompt", "哪些照片不能发给陌生人？")
    desk.fill("#quiz-1-value-choices-0-value-text", "身份证照片")
    add_list_item(desk, "quiz-1-value-choices-0-value-text")
    desk.fill("#quiz-1-value-choices-1-value-text", "银行卡照片")
    save_draft(desk)
    first = LessonPage.objects.get(title="认识手机相册", locale=zh)

    # Lesson 2: steps with a screenshot, a scenario with a screenshot (alt text still missing),
    # a true/false question; no sound yet.
    desk.goto(f"{base}/admin/pages/add/courses/lessonpage/{course.pk}/")
    desk.fill("#id_title", "这条短信安全吗")
    add_block(desk, "body", "分步操作")
    choose(desk, "body-0-value-steps-0-value-screenshot")
    desk.fill("#body-0-value-steps-0-value-image_alt", "短信列表")
    desk.fill("#body-0-value-steps-0-value-text", "打开短信")
    add_block(desk, "body", "这样安全吗？")
    desk.fill("#body-1-value-sender", "10690000")
    desk.fill("#body-1-value-message", "您的快递丢失，点击链接领取赔偿。")
    choose(desk, "body-1-value-screenshot")
    desk.fill("#body-1-value-choices-0-value-text", "点开链接")
    add_list_item(desk, "body-1-value-choices-0-value-text")
    desk.fill("#body-1-value-choices-1-value-text", "打快递公司官方电话")
    desk.check("#body-1-value-choices-1-value-is_safe")
    add_block(desk, "quiz", "判断题")
    desk.fill("#quiz-0-value-prompt", "陌生短信里的链接可以放心点。")
    desk.select_option("#quiz-0-value-correct_answer", "false")
    save_draft(desk)
    second = LessonPage.objects.get(title="这条短信安全吗", locale=zh)
    kinds = {
        b.block_type
        for lesson in (first, second)
        for b in lesson.get_latest_revision_as_object().body
    }
    assert kinds == {"text", "image", "audio", "video", "callout", "steps", "scenario"}

    # The authoring checks refuse the course, in Chinese, naming each problem.
    course_submit_page(desk, base, course)
    problems = desk.locator("[data-course-review-problems]").inner_text()
    for expected in (ALT_TEXT_MISSING, NO_RIGHT_ANSWER, NO_SOUND):
        assert expected in problems, problems
    assert desk.locator("[data-course-submit]").count() == 0

    # Fix them: the right answer, the scenario's alt text, and narration recorded in the editor.
    desk.goto(f"{base}/admin/pages/{first.pk}/edit/")
    desk.check("#quiz-1-value-choices-0-value-is_correct")
    save_draft(desk)
    desk.goto(f"{base}/admin/pages/{second.pk}/edit/")
    desk.fill("#body-1-value-image_alt", "一条自称快递公司的短信，带一个链接")
    saved = record_narration(desk)
    assert re.search(r"\d+(\.\d+)?\s*KB", saved) and re.search(r"0:0[1-4]", saved), saved

    # The preview opens at phone width and shows the lesson.
    desk.locator('button[data-side-panel-toggle="preview"]').click()
    iframe = desk.locator("[data-w-preview-target=iframe]").first
    iframe.wait_for(state="attached")
    assert desk.locator("input[name=preview-size][value=mobile]").first.is_checked()
    preview = desk.frame_locator("[data-w-preview-target=iframe]").first
    preview.locator("h1", has_text="这条短信安全吗").wait_for()
    assert preview.locator("img[alt='一条自称快递公司的短信，带一个链接']").count() == 1
    assert iframe.evaluate("el => el.getBoundingClientRect().width") <= 400
    save_draft(desk)
    second.refresh_from_db()
    narration = second.get_latest_revision_as_object().narration
    assert narration is not None and narration.file.name.endswith(".m4a")
    assert narration.uploaded_by_user == trainer

    # Now the checks pass, and the course goes for review once, with both lessons.
    course_submit_page(desk, base, course)
    assert desk.locator("[data-course-review-problems]").count() == 0
    assert desk.locator("[data-course-review-lessons] li").count() == 2
    with desk.expect_navigation():
        desk.locator("[data-course-submit]").click()
    course.refresh_from_db()
    assert course.current_workflow_state is not None
    assert not LessonPage.objects.get(pk=second.pk).live

    # A Program officer approves it once.
    sign_in(desk, base, "officer")
    desk.goto(f"{base}/admin/courses/{course.pk}/review/")
    assert desk.locator("[data-course-review-preview]").count() == 3
    with desk.expect_navigation():
        desk.locator("[data-course-review-action=approve]").click()
    for page in (course, first, second):
        page.refresh_from_db()
        assert page.live and not page.has_unpublished_changes, page.title

    # A learner opens the narrated lesson on a phone, and the narration plays.
    phone_context = mic_chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    phone = phone_context.new_page()
    try:
        phone.goto(f"{base}/accounts/login/?next=/courses/{course.slug}/{second.slug}/")
        phone.locator("details.staff-login summary").click()
        phone.fill("#id_login", "learner")
        phone.fill("#id_password", "demo-pass-2026")
        with phone.expect_navigation():
            phone.locator("details.staff-login button[type=submit]").click()
        phone.wait_for_load_state()
        assert phone.locator("h1", has_text="这条短信安全吗").count() == 1
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        source = phone.locator("audio#narration").get_attribute("src")
        assert source and source.endswith(".m4a")
        played = phone.evaluate(
            """async () => {
                const audio = document.querySelector('audio#narration');
                audio.muted = true;
                audio.preload = 'auto';
                await audio.play();
                await new Promise((done) => setTimeout(done, 1500));
                return {duration: audio.duration, position: audio.currentTime,
                        error: audio.error && audio.error.code};
            }"""
        )
        assert played["error"] is None
        assert played["duration"] > 0 and played["position"] > 0, played
        # Listen is the player; the browser's own controls are not built for a page with scripts.
        assert phone.locator("#listen").is_visible()
        assert phone.locator("audio[controls]").count() == 0
        # A phone without scripts gets the browser's player for the same recording instead.
        quiet = mic_chromium.new_context(viewport=PHONE, java_script_enabled=False)
        try:
            quiet.add_cookies(phone_context.cookies())
            plain = quiet.new_page()
            plain.goto(phone.url)
            player = plain.locator("audio[controls]")
            assert player.count() == 1 and player.is_visible()
            assert player.get_attribute("src") == source
            assert not plain.locator("#listen").is_visible()
        finally:
            quiet.close()
    finally:
        phone_context.close()
