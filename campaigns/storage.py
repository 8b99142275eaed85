"""Where export files live: the private storage (STORAGES["private"]), never the public media.

Exports are read only through the logged, permission-checked download view. In production the
private storage is a private bucket (or a shared folder), so an export built by a worker on one box
is downloaded through any web box (issue 21, decision 0140).
"""

from django.core.files.storage import storages


def export_storage():
    """STORAGES["private"] (a callable, so migrations do not freeze a backend)."""
    return storages["private"]
