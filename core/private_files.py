"""Answer a private file from the view that checked permission (decision 0142).

On a private bucket the response is a redirect to a signed URL made for this request and valid
for PRIVATE_URL_SECONDS; it is never cached (`private, no-store`) and never written into a page,
so cached pages hold only the view's own stable address. A private folder (the embedded default,
PRIVATE_MEDIA_ROOT) is streamed by the view itself.
"""

import functools

from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.cache import patch_cache_control

PRIVATE_URL_SECONDS = 300


def signs_urls(storage) -> bool:
    """True for object storage that signs its URLs (django-storages S3 with querystring auth)."""
    return bool(getattr(storage, "bucket_name", None)) and bool(
        getattr(storage, "querystring_auth", False)
    )


def private_file_response(
    file, *, filename: str, content_type: str, as_attachment: bool
) -> HttpResponseBase:
    """The file itself, or a redirect to a short-lived signed URL of it."""
    storage = file.storage
    if signs_urls(storage):
        disposition = "attachment" if as_attachment else "inline"
        url = storage.url(
            file.name,
            parameters={
                "ResponseContentDisposition": f'{disposition}; filename="{filename}"',
                "ResponseContentType": content_type,
            },
            expire=PRIVATE_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            file.open("rb"),
            as_attachment=as_attachment,
            filename=filename,
            content_type=content_type,
        )
        if not as_attachment:
            response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def cache_publicly_unless_private(max_age: int):
    """`cache_control(public=True, max_age=…)` for the view's answers, except a private file's
    (which says `private, no-store` itself)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if "Cache-Control" not in response:
                patch_cache_control(response, public=True, max_age=max_age)
            return response

        return wrapped

    return decorator
