"""Where export files live: a private folder, never the public media storage or CDN."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateExportStorage(FileSystemStorage):
    """Files served only through the logged, permission-checked download view."""

    @property
    def base_location(self):
        default = Path(getattr(settings, "VAR_DIR", settings.BASE_DIR / "var")) / "private-exports"
        return str(getattr(settings, "PRIVATE_EXPORTS_ROOT", default))

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None


def export_storage() -> PrivateExportStorage:
    """Storage of ExportLog files (a callable, so migrations do not freeze a path)."""
    return PrivateExportStorage()
