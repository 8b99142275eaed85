"""Where certificate files live: the private storage, under names nobody can guess (decision 0076).

PDFs, images and bulk-print batches carry full names. They are never in the public media storage
(served at /media/ or by a public bucket) and their names are random, not the certificate's public
id or the batch's number; they are read only through views that check permission on every request
(/c/<code>.pdf and .png: a valid certificate's own file; the print-batch download: its officer).
"""

import secrets

from django.core.files.storage import storages


def private_storage():
    """STORAGES["private"] (a callable, so migrations do not freeze a backend)."""
    return storages["private"]


def _random_name(folder: str, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{secrets.token_urlsafe(24)}.{extension}"


def certificate_pdf_name(instance, filename: str) -> str:
    return _random_name("certificates/pdf", filename)


def certificate_png_name(instance, filename: str) -> str:
    return _random_name("certificates/png", filename)


def print_batch_name(instance, filename: str) -> str:
    return _random_name("certificates/print", filename)
