"""Media from a bucket (issue 21): the CSP admits exactly its origin, private files go through a
view that signs a URL per request, exports live in the private storage, the offline manifest
recognises bucket URLs. No S3 server is needed: botocore signs URLs locally."""

import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import RequestFactory, override_settings
from django.utils.module_loading import import_string

from campaigns.models import ExportLog
from cms import logs
from core.private_files import private_file_response
from learners import selectors

pytestmark = pytest.mark.django_db

ENDPOINT = "http://s3.example.test:9000"
S3 = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": "dvc-media",
        "endpoint_url": ENDPOINT,
        "region_name": "us-east-1",
        "access_key": "k",
        "secret_key": "s",
        "querystring_auth": False,
    },
}
PRIVATE_S3 = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {**S3["OPTIONS"], "bucket_name": "dvc-private", "querystring_auth": True},
}


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _with_storage(settings, **changes):
    return {**settings.STORAGES, **changes}


def test_the_policy_admits_the_bucket_origin_exactly_for_pictures_sound_and_offline_saving(
    client, settings
):
    with override_settings(STORAGES=_with_storage(settings, default=S3)):
        policy = _directives(client.get("/accounts/login/")["Content-Security-Policy"])
    for directive in ("img-src", "media-src", "connect-src"):
        assert ENDPOINT in policy[directive], directive
        assert not any(s.startswith("http") and s != ENDPOINT for s in policy[directive])
    assert ENDPOINT not in policy["script-src"]


def test_a_cdn_static_origin_is_admitted_for_scripts_styles_and_fonts(client, settings):
    settings.STATIC_URL = "https://static.example.org/static/"
    policy = _directives(client.get("/accounts/login/")["Content-Security-Policy"])
    for directive in ("script-src", "style-src", "font-src", "img-src"):
        assert "https://static.example.org" in policy[directive], directive


def test_without_a_bucket_the_policy_names_no_other_origin(client):
    policy = _directives(client.get("/accounts/login/")["Content-Security-Policy"])
    assert not any(s.startswith("http") for s in policy["img-src"])


def test_a_private_file_on_a_bucket_is_a_redirect_to_a_url_signed_for_five_minutes(settings):
    with override_settings(STORAGES=_with_storage(settings, private=PRIVATE_S3)):
        storage = storages["private"]

        class Stored:
            name = "certificates/pdf/abc.pdf"

        Stored.storage = storage
        response = private_file_response(
            Stored(),
            filename="certificate-1.pdf",
            content_type="application/pdf",
            as_attachment=False,
        )
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{ENDPOINT}/dvc-private/certificates/pdf/abc.pdf?")
    assert "Expires=" in location or "X-Amz-Expires=300" in location
    assert "response-content-disposition=inline" in location


def test_a_private_file_in_a_folder_is_streamed_and_never_cached():
    export = ExportLog(file_format="csv")
    export.file.save("exports/x.csv", ContentFile(b"a,b\n"), save=False)
    response = private_file_response(
        export.file, filename="x.csv", content_type="text/csv", as_attachment=True
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a,b\n"
    assert response["Cache-Control"] == "private, no-store"


def test_exports_are_kept_in_the_private_storage(settings):
    storage = ExportLog._meta.get_field("file").storage
    assert type(storage) is import_string(settings.STORAGES["private"]["BACKEND"])


def test_the_offline_manifest_recognises_bucket_urls_and_reads_their_names(settings):
    with override_settings(STORAGES=_with_storage(settings, default=S3)):
        url = f"{ENDPOINT}/dvc-media/images/field%20work.width-400.png"
        assert selectors._media_name(url) == "images/field work.width-400.png"
        assert selectors._media_name("https://elsewhere.example/images/x.png") is None
        html = f'<p><img src="{url}" alt=""><img src="https://elsewhere.example/x.png"></p>'
        assert selectors._media_urls(html, small=False) == [url]


def test_log_lines_are_utc_with_the_request_id(rf: RequestFactory):
    seen = {}

    def view(request):
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "hello", None, None)
        logs.RequestIdFilter().filter(record)
        seen["id"] = record.request_id
        seen["line"] = logs.UTCFormatter("%(asctime)s [%(request_id)s] %(message)s").format(record)
        from django.http import HttpResponse

        return HttpResponse("ok")

    middleware = logs.RequestIdMiddleware(view)
    response = middleware(rf.get("/", HTTP_X_REQUEST_ID="proxy-id-1234"))
    assert response["X-Request-ID"] == "proxy-id-1234" == seen["id"]
    assert seen["line"].endswith("Z [proxy-id-1234] hello")
    # A malformed id from outside is replaced; outside a request the id is "-".
    response = middleware(rf.get("/", HTTP_X_REQUEST_ID="bad id\nforged"))
    assert len(response["X-Request-ID"]) == 32
    assert logs.current_request_id() == "-"
