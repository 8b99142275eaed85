"""wagtailmedia's usage page, limited to the media items the user may change.

wagtailmedia 0.19 shows any item's title and the pages using it to anyone holding any media
permission anywhere (`/admin/media/usage/<id>/`), so an officer could read the titles of another
office's recordings (issue 16, finding 8). Wagtail's own image and document usage pages ask for
"change" on the item itself; this does the same for media.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from wagtailmedia.models import get_media_model


def usage_for_changers_only(view):
    """Wrap wagtailmedia's usage view: 403 unless the user may change this item."""
    from .services import media_permission_policy

    @wraps(view)
    def usage(request, media_id):
        item = get_object_or_404(get_media_model(), id=media_id)
        policy = media_permission_policy()
        if not policy.user_has_permission_for_instance(request.user, "change", item):
            raise PermissionDenied
        return view(request, media_id)

    return usage


def install() -> None:
    """Replace the view before wagtailmedia's admin URLs are imported (AppConfig.ready)."""
    from wagtailmedia.views import media

    if not getattr(media.usage, "_checks_the_item", False):
        media.usage = usage_for_changers_only(media.usage)
        media.usage._checks_the_item = True
