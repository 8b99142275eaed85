"""Lesson body and quiz blocks.

Quiz questions are referred to by their StreamField block id (a UUID that survives edits,
translation and course packs); choices by their position. The answer key does reach the learner's
page, as the `quiz-key` JSON that gives instant feedback offline (decision 0027); the server never
trusts a score from the page: it scores every attempt itself with
`courses.selectors.lesson_quiz_key`.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtailmedia.blocks import AudioChooserBlock

from core.blocks import (
    IMAGE_NEEDS_ALT_TEXT,
    LESSON_RICH_TEXT_FEATURES,
    AudioClipBlock,
    CalloutBlock,
    ImageBlock,
    LessonRichTextBlock,
    VideoBlock,
    is_drafting,
)

QUESTION_NEEDS_TWO_CHOICES = _("A question needs at least two choices.")
QUESTION_NEEDS_CORRECT_ANSWER = _("Mark the correct answer.")
SINGLE_CHOICE_NEEDS_ONE_CORRECT = _("A single-choice question has exactly one correct answer.")
SCENARIO_NEEDS_MESSAGE = _("Show the message or add a screenshot.")

QUESTION_KINDS = ("single", "multiple", "true_false")


def _image_alt_errors(value, image_field: str = "image") -> dict:
    """Errors for an optional picture (in `image_field`) that is set but has no alt text."""
    if value.get(image_field) and not (value.get("image_alt") or "").strip():
        return {"image_alt": ValidationError(IMAGE_NEEDS_ALT_TEXT)}
    return {}


class StepBlock(blocks.StructBlock):
    """One step: a screenshot, a short instruction and optional audio."""

    screenshot = ImageChooserBlock(label=_("screenshot"), required=False)
    image_alt = blocks.CharBlock(label=_("screenshot alt text"), max_length=200, required=False)
    text = blocks.CharBlock(label=_("what to do"), max_length=200)
    audio = AudioChooserBlock(label=_("audio"), required=False)

    class Meta:
        icon = "list-ol"
        label = _("Step")

    def clean(self, value):
        value = super().clean(value)
        if not is_drafting(self) and value.get("screenshot"):
            if not (value.get("image_alt") or "").strip():
                raise StructBlockValidationError(
                    block_errors={"image_alt": ValidationError(IMAGE_NEEDS_ALT_TEXT)}
                )
        return value


class StepByStepBlock(blocks.StructBlock):
    """Numbered steps to follow on the phone."""

    title = blocks.CharBlock(label=_("title"), max_length=120, required=False)
    steps = blocks.ListBlock(StepBlock(), label=_("steps"), min_num=1, max_num=10)

    class Meta:
        icon = "list-ol"
        template = "blocks/steps.html"
        label = _("Step by step")
        description = _("Numbered steps, each with a screenshot and a short instruction.")


class ScenarioChoiceBlock(blocks.StructBlock):
    """A possible reaction to the scenario and what happens if you choose it."""

    text = blocks.CharBlock(label=_("choice"), max_length=120)
    is_safe = blocks.BooleanBlock(label=_("safe choice"), required=False)
    feedback = blocks.CharBlock(label=_("feedback"), max_length=300, required=False)

    class Meta:
        icon = "radio-full"
        label = _("Choice")


class ScenarioBlock(blocks.StructBlock):
    """'Is this safe?': a message or screenshot to judge; formative, never scored."""

    sender = blocks.CharBlock(label=_("from"), max_length=80, required=False)
    message = blocks.TextBlock(label=_("message"), required=False)
    screenshot = ImageChooserBlock(label=_("screenshot"), required=False)
    image_alt = blocks.CharBlock(label=_("screenshot alt text"), max_length=200, required=False)
    choices = blocks.ListBlock(ScenarioChoiceBlock(), label=_("choices"), min_num=2, max_num=4)
    explanation = blocks.RichTextBlock(
        label=_("explanation"), features=LESSON_RICH_TEXT_FEATURES, required=False
    )

    class Meta:
        icon = "help"
        template = "blocks/scenario.html"
        label = _("Is this safe?")
        description = _("A message to judge, with choices and an explanation. Not scored.")

    def clean(self, value):
        value = super().clean(value)
        if is_drafting(self):
            return value
        # (A StructValue merged with `|` keeps only the right-hand keys: read it in place.)
        errors = _image_alt_errors(value, image_field="screenshot")
        if not (value.get("message") or "").strip() and not value.get("screenshot"):
            errors["message"] = ValidationError(SCENARIO_NEEDS_MESSAGE)
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class ChoiceBlock(blocks.StructBlock):
    """One answer choice with the feedback a learner sees after choosing it."""

    text = blocks.CharBlock(label=_("choice"), max_length=200)
    is_correct = blocks.BooleanBlock(label=_("correct"), required=False)
    feedback = blocks.CharBlock(label=_("feedback"), max_length=300, required=False)

    class Meta:
        icon = "radio-full"
        label = _("Choice")


class BaseQuestionBlock(blocks.StructBlock):
    """Common parts of every question: prompt, optional picture and sound, explanation."""

    prompt = blocks.TextBlock(label=_("question"))
    image = ImageChooserBlock(label=_("picture"), required=False)
    image_alt = blocks.CharBlock(label=_("picture alt text"), max_length=200, required=False)
    audio = AudioChooserBlock(label=_("audio"), required=False)
    explanation = blocks.TextBlock(
        label=_("explanation"),
        required=False,
        help_text=_("Shown after answering: why the answer is right."),
    )

    kind = ""

    class Meta:
        icon = "help"
        template = "blocks/question.html"

    def correct_indexes(self, value) -> frozenset[int]:
        """Positions of the correct choices."""
        return frozenset(i for i, choice in enumerate(value["choices"]) if choice["is_correct"])

    def choice_texts(self, value) -> list[str]:
        """The choices' texts in order."""
        return [choice["text"] for choice in value["choices"]]

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["kind"] = self.kind
        return context

    def question_errors(self, value) -> dict:
        """Publishing errors of this question, by child block name."""
        errors = _image_alt_errors(value)
        choices = value.get("choices") or []
        if len(choices) < 2:
            errors["choices"] = ValidationError(QUESTION_NEEDS_TWO_CHOICES)
        elif not self.correct_indexes(value):
            errors["choices"] = ValidationError(QUESTION_NEEDS_CORRECT_ANSWER)
        return errors

    def clean(self, value):
        value = super().clean(value)
        if not is_drafting(self):
            errors = self.question_errors(value)
            if errors:
                raise StructBlockValidationError(block_errors=errors)
        return value


class SingleChoiceQuestionBlock(BaseQuestionBlock):
    """A question with exactly one right answer."""

    choices = blocks.ListBlock(ChoiceBlock(), label=_("choices"), min_num=1, max_num=6)

    kind = "single"

    class Meta:
        label = _("Single choice")
        description = _("Learners pick one answer.")

    def question_errors(self, value) -> dict:
        errors = super().question_errors(value)
        if "choices" not in errors and len(self.correct_indexes(value)) > 1:
            errors["choices"] = ValidationError(SINGLE_CHOICE_NEEDS_ONE_CORRECT)
        return errors


class MultipleChoiceQuestionBlock(BaseQuestionBlock):
    """A question where every correct answer must be picked."""

    choices = blocks.ListBlock(ChoiceBlock(), label=_("choices"), min_num=1, max_num=6)

    kind = "multiple"

    class Meta:
        label = _("Multiple choice")
        description = _("Learners pick every correct answer.")


class TrueFalseQuestionBlock(BaseQuestionBlock):
    """A statement that is true or false; choice 0 is "true", choice 1 is "false"."""

    correct_answer = blocks.ChoiceBlock(
        label=_("correct answer"),
        choices=[("true", _("True")), ("false", _("False"))],
        required=False,
    )
    feedback_true = blocks.CharBlock(label=_("feedback for 'true'"), max_length=300, required=False)
    feedback_false = blocks.CharBlock(
        label=_("feedback for 'false'"), max_length=300, required=False
    )

    kind = "true_false"

    class Meta:
        label = _("True or false")
        description = _("Learners decide whether a statement is true.")

    def correct_indexes(self, value) -> frozenset[int]:
        answer = value.get("correct_answer")
        if answer == "true":
            return frozenset({0})
        if answer == "false":
            return frozenset({1})
        return frozenset()

    def choice_texts(self, value) -> list[str]:
        return [str(_("True")), str(_("False"))]

    def question_errors(self, value) -> dict:
        errors = _image_alt_errors(value)
        if not self.correct_indexes(value):
            errors["correct_answer"] = ValidationError(QUESTION_NEEDS_CORRECT_ANSWER)
        return errors


class LessonBodyBlock(blocks.StreamBlock):
    """What a lesson shows, top to bottom."""

    text = LessonRichTextBlock()
    image = ImageBlock()
    audio = AudioClipBlock()
    video = VideoBlock()
    steps = StepByStepBlock()
    callout = CalloutBlock()
    scenario = ScenarioBlock()

    class Meta:
        min_num = 1
        max_num = 20
        block_counts = {"video": {"max_num": 2}}


class QuizBlock(blocks.StreamBlock):
    """The questions at the end of a lesson."""

    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    true_false = TrueFalseQuestionBlock()

    class Meta:
        max_num = 10
        required = False
