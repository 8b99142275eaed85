"""Template context: the signed-in learner's display preferences."""

from django.utils.functional import SimpleLazyObject

from .selectors import profile_for_request


def learner_preferences(request):
    """`learner_prefs`: the profile (large_text, data_saver, autoplay_narration…) or None; lazy."""
    return {"learner_prefs": SimpleLazyObject(lambda: profile_for_request(request))}
