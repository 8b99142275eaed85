"""The learners room in the course pages: each reader's state in the shared shells."""

from wagtail import hooks

from courses.page_cache import FRAGMENT_HOOK, TIER_HOOK

from .fragments import page_fragments
from .selectors import data_saver_for


@hooks.register(FRAGMENT_HOOK)
def learner_state_in_course_pages(request, page, shell):
    """Progress, enrollment, quiz feedback and forms (with the CSRF token) for this reader."""
    return page_fragments(request, page, shell)


@hooks.register(TIER_HOOK)
def data_saver_tier(request):
    """Learners who save data get a shell of their own (read from the profile already loaded)."""
    return "saver" if data_saver_for(request) else ""
