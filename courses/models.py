"""What is taught: topics, the course catalog, courses and their lessons."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index
from wagtail.snippets.models import register_snippet
from wagtail_localize.fields import SynchronizedField, TranslatableField
from wagtailmedia.edit_handlers import MediaChooserPanel
from wagtailmedia.models import AbstractMedia

from core.pages import OneQueryViewRestrictionsMixin, SharedRouteMixin

from .blocks import LessonBodyBlock, QuizBlock
from .forms import LessonPageForm

# Wagtail preview sizes: farmers' phones are 360 px wide, so preview opens there.
PHONE_PREVIEW_SIZES = [
    {
        "name": "mobile",
        "icon": "mobile-alt",
        "device_width": 360,
        "label": _("Preview on a phone (360 px)"),
    },
    {
        "name": "tablet",
        "icon": "tablet-alt",
        "device_width": 768,
        "label": _("Preview on a tablet"),
    },
    {
        "name": "desktop",
        "icon": "desktop",
        "device_width": 1280,
        "label": _("Preview on a computer"),
    },
]


class PhonePreviewMixin:
    """Open the editor's preview at phone width."""

    @property
    def preview_sizes(self):
        return PHONE_PREVIEW_SIZES

    @property
    def default_preview_size(self):
        return "mobile"


class LessonMedia(AbstractMedia):
    """An audio or video file; remembers its size so pages can show it without asking storage."""

    file_size = models.PositiveBigIntegerField(_("file size"), null=True, editable=False)
    # Learners are told when they hear a machine voice (decision 0081).
    synthetic_voice = models.BooleanField(
        _("synthesised voice"),
        default=False,
        help_text=_("Tick if this is computer-generated speech, not a person speaking."),
    )

    admin_form_fields = (*AbstractMedia.admin_form_fields, "synthetic_voice")

    class Meta(AbstractMedia.Meta):
        verbose_name = _("audio or video")
        verbose_name_plural = _("audio and video")

    def get_file_size(self) -> int | None:
        """Size in bytes, read from storage once and then kept (like Wagtail's images)."""
        if self.file_size is None and self.file:
            try:
                self.file_size = self.file.size
            except OSError:
                return None
            if self.pk:
                LessonMedia.objects.filter(pk=self.pk).update(file_size=self.file_size)
        return self.file_size


TOPIC_ICONS = [
    ("phone", pgettext_lazy("icon", "Phone")),
    ("shop", _("Shop")),
    ("shield", _("Shield")),
    ("leaf", _("Leaf")),
    ("chat", _("Chat")),
]


class Topic(TranslatableMixin, models.Model):
    """A subject area of the catalog (phone skills, selling online, online safety)."""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, allow_unicode=False)
    icon = models.CharField(_("icon"), max_length=20, choices=TOPIC_ICONS, default="leaf")
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#2e7d32",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #2e7d32."))],
        help_text=_("A dark colour: white text is written on it."),
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("icon"), FieldPanel("colour")]

    # Only the name is translated; the slug keeps ?topic= links working in every language.
    translatable_fields = [
        TranslatableField("name"),
        SynchronizedField("slug"),
        SynchronizedField("icon"),
        SynchronizedField("colour"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="courses_topic_unique_slug")
        ]

    def __str__(self):
        return self.name


register_snippet(Topic)


class CourseIndexPage(PhonePreviewMixin, SharedRouteMixin, OneQueryViewRestrictionsMixin, Page):
    """The course catalog, filterable by topic."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    # The catalog hangs right under a site's home page, whatever the site shell's page type is
    # (the shell, cms, lists this type among its subpages; courses does not name the room above).
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1

    @classmethod
    def can_create_at(cls, parent) -> bool:
        return super().can_create_at(parent) and parent.depth == 2

    class Meta:
        verbose_name = _("course catalog")

    def get_context(self, request, *args, **kwargs):
        from .shells import catalog_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalog_context(request, self))
        return context


class CoursePage(PhonePreviewMixin, SharedRouteMixin, OneQueryViewRestrictionsMixin, Page):
    """A course: a short series of lessons on one skill, with an optional certificate."""

    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Beginner")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    summary = models.TextField(_("summary"), max_length=400)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover picture"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_alt = models.CharField(_("cover alt text"), max_length=200, blank=True)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
    )
    level = models.CharField(
        pgettext_lazy("difficulty", "level"), max_length=20, choices=Level, default=Level.BEGINNER
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=20, validators=[MinValueValidator(1)]
    )
    learning_outcomes = StreamField(
        [("outcome", blocks.CharBlock(label=_("outcome"), max_length=160))],
        verbose_name=_("learning outcomes"),
        blank=True,
        help_text=_("What a learner can do after the course, one short sentence each."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Quiz score a learner needs in every lesson to complete the course."),
    )
    credit_hours = models.DecimalField(
        _("training hours"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_(
            "Declared training hours (学时) printed on the certificate. When empty, the "
            "estimated minutes are used."
        ),
    )
    certificate_enabled = models.BooleanField(_("award a certificate"), default=True)
    certificate_title = models.CharField(
        _("certificate title"),
        max_length=120,
        blank=True,
        help_text=_("Printed on the certificate; the course title is used when empty."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("cover_image"), FieldPanel("cover_alt")], heading=_("Cover picture")
        ),
        FieldPanel("topic"),
        FieldPanel("level"),
        FieldPanel("estimated_minutes"),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("credit_hours"),
                FieldPanel("certificate_enabled"),
                FieldPanel("certificate_title"),
            ],
            heading=_("Completion and certificate"),
        ),
    ]

    search_fields = [*Page.search_fields, index.SearchField("summary")]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")

    def get_context(self, request, *args, **kwargs):
        from .shells import course_context

        context = super().get_context(request, *args, **kwargs)
        context.update(course_context(request, self))
        return context

    @property
    def certificate_display_title(self) -> str:
        """Title printed on certificates."""
        return self.certificate_title or self.title


class LessonPage(PhonePreviewMixin, SharedRouteMixin, OneQueryViewRestrictionsMixin, Page):
    """One 3–7 minute lesson: pictures, sound, text and a short quiz."""

    summary = models.TextField(_("summary"), max_length=300, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=5, validators=[MinValueValidator(1)]
    )
    narration = models.ForeignKey(
        "courses.LessonMedia",
        verbose_name=_("narration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A recording of the whole lesson, for learners who prefer listening."),
    )
    # Demo content ships before narration is recorded; it is labelled for learners and editors
    # and is never offered in the editor (docs/decisions/0013-demo-lessons-without-audio.md).
    demo_without_audio = models.BooleanField(
        _("demo lesson, narration not yet recorded"), default=False, editable=False
    )
    body = StreamField(LessonBodyBlock(), verbose_name=_("lesson"))
    quiz = StreamField(QuizBlock(), verbose_name=_("quiz"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        MediaChooserPanel("narration", media_type="audio"),
        FieldPanel("body"),
        FieldPanel("quiz"),
    ]

    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    # Read with the page when routing (core.pages.route_path): the player always shows it.
    route_select_related = ("narration",)
    base_form_class = LessonPageForm

    class Meta:
        verbose_name = _("lesson")

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_for_lesson
        from .shells import lesson_context

        context = super().get_context(request, *args, **kwargs)
        context["course"] = course_for_lesson(self)  # no query: routing read it
        context.update(lesson_context(request, self))
        return context


class CourseReviewLesson(models.Model):
    """A lesson revision sent for review together with its course (one review for a course).

    When the course's workflow is approved, exactly these revisions are published
    (courses/workflow.py, docs/decisions/0085-one-review-for-a-course.md).
    """

    workflow_state = models.ForeignKey(
        "wagtailcore.WorkflowState", on_delete=models.CASCADE, related_name="course_lessons"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey("wagtailcore.Revision", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("lesson in a course review")
        verbose_name_plural = _("lessons in a course review")
        constraints = [
            models.UniqueConstraint(
                fields=["workflow_state", "lesson"], name="courses_review_lesson_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} @ {self.revision_id}"
