"""Create English (or any) translations through wagtail-localize from known translated text.

Used by the demo loader: the translated text already exists side by side with the source, so
instead of a translator filling in the editor, each source segment gets its translation from a
"shadow" instance that has the same structure (and the same StreamField block ids).
"""

from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments

TRANSLATION_MISSING = "no translation for segment {path!r}: {text!r}"


def translation_shadow(model, source, fields: dict):
    """An unsaved `model` with translated `fields` posing as `source` (same pk, locale, key)."""
    shadow = model(**fields)
    shadow.pk = source.pk
    shadow.locale = source.locale
    shadow.translation_key = source.translation_key
    return shadow


def _strings(instance) -> list[tuple[str, str]]:
    return [
        (segment.path, segment.string.data)
        for segment in extract_segments(instance)
        if isinstance(segment, StringSegmentValue)
    ]


@transaction.atomic
def translation_create_from_shadow(*, source, shadow, locale: Locale, publish: bool = True):
    """Translate `source` into `locale` using the matching strings of `shadow` (idempotent).

    With `publish=False` a translated page is left as a draft (course packs, which go to review).
    """
    if isinstance(source, Page):
        source = source.specific
    existing = source.get_translation_or_none(locale)
    if existing is not None:
        return existing
    pairs = {}
    for (path, text), (shadow_path, shadow_text) in zip(
        _strings(source), _strings(shadow), strict=True
    ):
        if path != shadow_path:
            raise ValueError(TRANSLATION_MISSING.format(path=path, text=text))
        pairs[(path, text)] = shadow_text
    translation_source, _ = TranslationSource.get_or_create_from_instance(source)
    translation, _ = Translation.objects.get_or_create(
        source=translation_source, target_locale=locale, defaults={"enabled": True}
    )
    po = translation.export_po()
    for entry in po:
        key = (entry.msgctxt, entry.msgid)
        if key not in pairs:
            raise ValueError(TRANSLATION_MISSING.format(path=entry.msgctxt, text=entry.msgid))
        entry.msgstr = pairs[key]
    translation.import_po(po)
    if not isinstance(source, Page):
        translation.save_target(publish=True)
        return source.get_translation(locale)
    # wagtail-localize publishes pages only when the transaction commits; publish now instead,
    # so the translated tree is complete inside the caller's transaction.
    translation.save_target(publish=False)
    translated = source.get_translation(locale).specific
    if publish:
        translated.get_latest_revision().publish()
    translated.refresh_from_db()
    return translated
