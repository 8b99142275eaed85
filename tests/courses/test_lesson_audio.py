"""Lesson audio in the admin: a Trainer uploads, chooses, replaces and records audio, and every
take is stored as the phone rendition (mono AAC-LC .m4a, ≤ 32 kbit/s) with its size and length."""

import functools
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from wagtail.users.models import UserProfile

from core.roles import TRAINERS
from courses.audio import AUDIO_UNREADABLE, audio_rendition
from courses.models import LessonMedia

from .audio_files import describe, transcode, wav_bytes
from .factories import add_course, add_lesson, catalog

pytestmark = pytest.mark.django_db


@functools.cache
def _wav(seconds: float, noisy: bool = False) -> bytes:
    return wav_bytes(seconds, noisy=noisy)


@functools.cache
def _take(seconds: float) -> bytes:
    """A microphone take as Chromium's MediaRecorder uploads it: WebM with stereo Opus."""
    return transcode(_wav(seconds, noisy=True), format="webm", codec="libopus")


@pytest.fixture
def trainer(client, django_user_model):
    """A signed-in user whose only group is Trainers, reading the admin in Chinese."""
    user = django_user_model.objects.create_user("trainer", password="pw-123456")
    user.groups.add(Group.objects.get(name=TRAINERS))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "zh-hans"
    profile.save()
    client.force_login(user)
    return user


def _upload(client, name: str, data: bytes, title: str = "开场白"):
    return client.post(
        "/admin/media/audio/add/",
        {
            "title": title,
            "file": SimpleUploadedFile(name, data),
            "collection": "1",
            "tags": "",
        },
    )


def test_rendition_of_a_sixty_second_recording_is_at_most_250_kb():
    rendition = audio_rendition(io.BytesIO(_take(60)))
    assert rendition.size <= 250_000
    assert rendition.size * 8 / rendition.duration <= 32_000
    assert rendition.duration == pytest.approx(60, abs=0.5)
    played = describe(rendition.data)
    assert (played["codec"], played["profile"], played["channels"]) == ("aac", "LC", 1)
    assert "mp4" in played["format"]
    assert played["seconds"] == pytest.approx(60, abs=0.5)


def test_something_that_is_not_audio_is_refused():
    with pytest.raises(Exception) as caught:
        audio_rendition(io.BytesIO(b"<html>not a recording</html>"))
    assert caught.value.messages == [str(AUDIO_UNREADABLE)]


def test_trainer_uploads_a_wav_and_it_is_stored_as_the_phone_rendition(client, trainer):
    assert client.get("/admin/media/audio/add/").status_code == 200
    response = _upload(client, "开场白.wav", _wav(3))
    assert response.status_code == 302
    media = LessonMedia.objects.get(title="开场白")
    assert media.file.name.endswith(".m4a")
    assert media.duration == pytest.approx(3, abs=0.2)
    with media.file.open("rb") as stored:
        data = stored.read()
    assert media.file_size == len(data) < len(_wav(3)) / 10
    assert describe(data)["channels"] == 1


def test_trainer_finds_the_upload_in_the_audio_chooser_and_can_choose_it(client, trainer):
    _upload(client, "clip.mp3", transcode(_wav(2), format="mp3", codec="libmp3lame", rate=44100))
    media = LessonMedia.objects.get()
    listing = client.get("/admin/media/chooser/audio/")
    assert listing.status_code == 200
    assert "开场白" in listing.json()["html"]
    assert client.get(f"/admin/media/chooser/{media.pk}/").json()["result"]["id"] == media.pk


def test_trainer_replaces_the_file_and_the_length_is_measured_again(client, trainer):
    _upload(client, "short.wav", _wav(2))
    media = LessonMedia.objects.get()
    edit = client.get(f"/admin/media/edit/{media.pk}/")
    assert edit.status_code == 200
    response = client.post(
        f"/admin/media/edit/{media.pk}/",
        {
            "title": "开场白（重录）",
            "file": SimpleUploadedFile("longer.webm", _take(5)),
            "collection": "1",
            "tags": "",
        },
    )
    assert response.status_code == 302
    media.refresh_from_db()
    assert media.title == "开场白（重录）"
    assert media.file.name.endswith(".m4a")
    assert media.duration == pytest.approx(5, abs=0.3)


def test_an_unreadable_upload_is_refused_in_chinese_and_nothing_is_stored(client, trainer):
    response = _upload(client, "song.mp3", b"this is not audio at all" * 100)
    assert response.status_code == 200
    with override("zh-hans"):
        expected = str(AUDIO_UNREADABLE)
    assert expected in response.content.decode()
    assert not LessonMedia.objects.exists()


def test_recorder_stores_a_take_and_reports_its_size_and_length(client, trainer):
    response = client.post(
        "/admin/narration/record/",
        {"audio": SimpleUploadedFile("recording.webm", _take(4)), "title": "第一课 讲解"},
    )
    assert response.status_code == 201
    answer = response.json()
    media = LessonMedia.objects.get(pk=answer["id"])
    assert (media.title, media.type, media.uploaded_by_user) == ("第一课 讲解", "audio", trainer)
    assert answer["size"] == media.file_size == media.file.size
    assert "0:04" in answer["message"]
    assert "KB" in answer["message"]
    assert answer["message"].startswith("已保存")


def test_recorder_refuses_an_empty_take_in_chinese(client, trainer):
    response = client.post(
        "/admin/narration/record/", {"audio": SimpleUploadedFile("recording.webm", b"")}
    )
    assert response.status_code == 400
    assert "录" in response.json()["error"]
    assert not LessonMedia.objects.exists()


def test_a_learner_cannot_use_the_recorder(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("learner", password="pw-123456"))
    response = client.post(
        "/admin/narration/record/", {"audio": SimpleUploadedFile("recording.webm", _take(1))}
    )
    assert response.status_code in (302, 403)
    assert not LessonMedia.objects.exists()


def test_lesson_editor_offers_the_recorder_and_allows_the_microphone(client, trainer):
    lesson = add_lesson(add_course(catalog()))
    page = client.get(f"/admin/pages/{lesson.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "narration-recorder.js" in html
    assert json.dumps({"record": "录音"})[1:-1] in html  # json_script escapes non-ASCII
    assert "microphone=(self)" in page["Permissions-Policy"]


def test_learner_pages_still_forbid_the_microphone(client):
    assert "microphone=()" in client.get("/accounts/login/")["Permissions-Policy"]


def test_a_narrated_lesson_gives_listen_the_recording_and_the_browsers_player_to_no_script_pages(
    client,
):
    """With scripts, the Listen button plays the recording: no native player is built before the
    first paint (its controls are ~10 ms of style on a slow phone, decision 0205). Without
    scripts, the browser's own player is there, described as a synthetic voice when it is one."""
    import re

    from .factories import LessonMediaFactory

    course = add_course(catalog(), title="手机支付")
    recording = LessonMediaFactory(synthetic_voice=True)
    lesson = add_lesson(course, title="扫码付款", narration=recording)
    html = client.get(lesson.url).content.decode()
    audios = [tag for tag in re.findall(r"<audio[^>]*>", html) if recording.url in tag]
    assert audios == [
        f'<audio id="narration" preload="none" src="{recording.url}">',
        f'<audio controls preload="none" src="{recording.url}" aria-describedby="narration-voice">',
    ]
    noscript = re.search(r"<noscript>(.*?)</noscript>", html[html.index("<body") :], re.S)
    assert noscript and noscript[1].startswith("<audio controls")
    assert 'id="narration-voice"' in html
