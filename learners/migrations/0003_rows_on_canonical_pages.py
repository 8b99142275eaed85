"""Move enrollments, progress and certificates from translated course/lesson pages to the
canonical (default-language) page: one course across languages (decision 0071)."""

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    from wagtail.coreutils import get_supported_content_language_variant

    from learners.services.translations import Models, rows_to_canonical_pages

    try:
        certificate = apps.get_model("certificates", "Certificate")
    except LookupError:
        certificate = None
    models = Models(
        Page=apps.get_model("wagtailcore", "Page"),
        LessonPage=apps.get_model("courses", "LessonPage"),
        CoursePage=apps.get_model("courses", "CoursePage"),
        Enrollment=apps.get_model("learners", "Enrollment"),
        LessonProgress=apps.get_model("learners", "LessonProgress"),
        ProgressEvent=apps.get_model("learners", "ProgressEvent"),
        Certificate=certificate,
    )
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    rows_to_canonical_pages(models, language=language)


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0002_learner_change"),
        ("certificates", "0002_role_permissions"),
        ("courses", "0002_roles_and_review_workflow"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
