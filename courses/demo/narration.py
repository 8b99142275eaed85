"""Synthesised narration for the demo lessons (decision 0081).

The spoken script of a lesson is read from the same content the page shows (title, summary, text,
picture captions, tips, scenarios, steps); `generate` speaks it with espeak-ng (Mandarin voice
`cmn` for Chinese, `en` for English) and stores the phone rendition (courses.audio) under
`courses/demo/narration/`. The files are committed, so `bootstrap_demo` needs no speech engine:
regenerate them with `manage.py demo_narration` after changing the demo text.
"""

import html
import re
import subprocess
import tempfile
from pathlib import Path

from courses.audio import RENDITION_EXTENSION, audio_rendition

from .content import COURSES, Block, Course, Lesson

NARRATION_DIR = Path(__file__).resolve().parent / "narration"
LANGUAGES = ("zh", "en")
# espeak-ng voice and speed (words per minute) per language: slow, for learners who read slowly.
VOICES = {"zh": ("cmn", 150), "en": ("en", 140)}
PAUSE = {"zh": "。", "en": ". "}
_TAG = re.compile(r"<[^>]+>")


def _plain(markup: str) -> str:
    """Visible text of a little HTML: list items and paragraphs become sentences."""
    text = re.sub(r"</(li|p)>", "\n", markup)
    return html.unescape(_TAG.sub("", text)).strip()


def _block_lines(block: Block, lang: int) -> list[str]:
    if block.kind == "text":
        return [_plain(block.text[lang])]
    if block.kind == "image":
        return [block.caption[lang]]
    if block.kind == "callout":
        return [block.title[lang], _plain(block.text[lang])]
    if block.kind == "scenario":
        return [block.title[lang], block.text[lang]]
    if block.kind == "steps":
        return [step[lang] for step in block.steps]
    return []


def narration_script(lesson: Lesson, lang: str) -> str:
    """What the narrator says for `lesson` in `lang` ("zh" or "en")."""
    index = LANGUAGES.index(lang)
    lines = [lesson.title[index], lesson.summary[index]]
    for block in lesson.body:
        lines.extend(_block_lines(block, index))
    sentences = [line.strip() for text in lines for line in text.splitlines() if line.strip()]
    end = PAUSE[lang].strip()
    return " ".join(s if s[-1] in "。！？.!?：:" else s + end for s in sentences)


def narration_path(course: Course, lesson: Lesson, lang: str) -> Path:
    """Where the committed narration of one lesson in one language lives."""
    return NARRATION_DIR / f"{course.slug}--{lesson.slug}.{lang}.{RENDITION_EXTENSION}"


def speak(text: str, lang: str) -> bytes:
    """The phone rendition of `text` spoken by espeak-ng."""
    voice, speed = VOICES[lang]
    with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", wav.name, text],
            check=True,
            capture_output=True,
        )
        with open(wav.name, "rb") as source:
            return audio_rendition(source).data


def generate(stdout=None) -> list[Path]:
    """Speak every demo lesson in both languages into NARRATION_DIR (overwrites)."""
    NARRATION_DIR.mkdir(exist_ok=True)
    written = []
    for course in COURSES:
        for lesson in course.lessons:
            for lang in LANGUAGES:
                path = narration_path(course, lesson, lang)
                path.write_bytes(speak(narration_script(lesson, lang), lang))
                written.append(path)
                if stdout is not None:
                    stdout.write(f"{path.name}: {path.stat().st_size} bytes")
    return written
