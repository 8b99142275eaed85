"""A private folder that follows MEDIA_ROOT: the test settings' STORAGES["private"].

Model fields resolve their storage once, at import; the test suite moves MEDIA_ROOT to a folder
per test (tests/conftest.py) and hands it to worker subprocesses (TEST_MEDIA_ROOT). This storage
reads MEDIA_ROOT on every use and keeps private files in the sibling ``<MEDIA_ROOT>-private``
folder, outside what /media/ serves.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class BesideMediaPrivateStorage(FileSystemStorage):
    @property
    def base_location(self):
        return str(Path(str(settings.MEDIA_ROOT).rstrip("/") + "-private"))

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None
