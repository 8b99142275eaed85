"""Chinese is first-class: every interface string in our code and templates reads in Chinese.

The strings are collected the way `makemessages` would (Python calls to gettext and friends;
templates through Django's own `templatize`) and looked up in the catalogues Django loads at run
time (ours and those of Django, Wagtail and allauth), so an English sentence added without a
translation fails here, whichever app it lives in.
"""

import ast
import re
from pathlib import Path

from django.utils import translation
from django.utils.translation.template import templatize

REPO = Path(__file__).resolve().parents[2]
APPS = ("core", "cms", "courses", "learners", "campaigns")
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop"}
NGETTEXT = {"ngettext", "ngettext_lazy"}
PGETTEXT = {"pgettext", "pgettext_lazy"}
QUOTED = r"u'((?:\\.|[^'\\])*)'"
TEMPLATE_CALL = re.compile(rf"\b(gettext|pgettext|ngettext)\({QUOTED}(?:, {QUOTED})?")
LATIN = re.compile(r"[A-Za-z]{2,}")
# Written the same in Chinese.
SAME_IN_CHINESE = {"PDF", "CSV", "XLSX", "JSON", "QR", "SMS", "TOTP"}


def _sources(pattern: str):
    for app in APPS:
        for path in sorted((REPO / app).rglob(pattern)):
            if "migrations" not in path.parts and "locale" not in path.parts:
                yield path


def _python_strings():
    for path in _sources("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if not texts or not all(isinstance(t, str) for t in texts):
                continue
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            if name in GETTEXT:
                yield where, None, texts[0]
            elif name in NGETTEXT:
                yield where, None, texts[0]
            elif name in PGETTEXT and len(texts) >= 2:
                yield where, texts[0], texts[1]


def _unescape(text: str) -> str:
    return text.replace("\\'", "'").replace("\\\\", "\\").replace("\\n", "\n")


def _template_strings():
    for pattern in ("*.html", "*.txt", "*.webmanifest"):
        for path in _sources(pattern):
            code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            for match in TEMPLATE_CALL.finditer(code):
                kind, first, second = match.groups()
                where = str(path.relative_to(REPO))
                # Like the .po files (and Django's tags at run time), "%" stays doubled.
                if kind == "pgettext" and second is not None:
                    yield where, _unescape(first), _unescape(second)
                else:
                    yield where, None, _unescape(first)


def _untranslated(strings) -> list[str]:
    missing = []
    with translation.override("zh-hans"):
        for where, context, text in strings:
            if not LATIN.search(text) or text in SAME_IN_CHINESE:
                continue  # nothing to translate: numbers, symbols, Chinese already
            if context is None:
                translated = translation.gettext(text)
            else:
                translated = translation.pgettext(context, text)
            if translated == text:
                missing.append(f"{where}: {text!r}")
    return missing


def test_strings_are_found_in_python_and_templates():
    # The collector itself works: it finds strings we know are there.
    found = {text for _, _, text in [*_python_strings(), *_template_strings()]}
    assert "Check what you learned" in found
    assert "Skip to main content" in found


def test_every_interface_string_in_python_code_has_a_chinese_translation():
    assert _untranslated(_python_strings()) == []


def test_every_interface_string_in_templates_has_a_chinese_translation():
    assert _untranslated(_template_strings()) == []


def test_no_two_of_our_catalogues_translate_the_same_string_differently():
    # Django merges every app's catalogue and the first app in INSTALLED_APPS wins: a short
    # string translated two ways ("name": 姓名 for a person, 名称 for a region) silently shows
    # the other app's word. Such strings take a context (pgettext) instead.
    import polib

    translations: dict[tuple, dict[str, str]] = {}
    for path in sorted(REPO.glob("*/**/locale/zh_Hans/LC_MESSAGES/django.po")):
        if ".venv" in path.parts:
            continue
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                app = str(path.relative_to(REPO)).split("/locale/")[0]
                translations.setdefault((entry.msgctxt, entry.msgid), {})[app] = entry.msgstr
    clashes = {key: apps for key, apps in translations.items() if len(set(apps.values())) > 1}
    assert clashes == {}
    assert len(translations) > 500  # the catalogues were read


def test_words_with_two_meanings_read_right_in_each_place():
    from core.models import Region
    from courses.models import TOPIC_ICONS, CoursePage
    from learners.accounts.models import LearnerProfile

    with translation.override("zh-hans"):
        assert str(LearnerProfile._meta.get_field("display_name").verbose_name) == "姓名"
        assert str(Region._meta.get_field("name").verbose_name) == "名称"
        assert str(CoursePage._meta.get_field("level").verbose_name) == "难度"
        assert str(Region._meta.get_field("level").verbose_name) == "级别"
        assert str(dict(TOPIC_ICONS)["phone"]) == "手机"
