"""Property-based fuzzing of the admin uploads (issue 16): rosters (CSV, XLSX) and course packs.

hypothesis generates the files: raw bytes, CSV text with quotes, separators, control characters
and odd encodings, spreadsheets whose cells are numbers, dates, booleans and any text, and course
packs whose manifest has one value replaced by anything JSON can hold. Every answer is a page or
a redirect (the preview, the imported course), never a server error. The progress API is fuzzed
in tests/security/test_fuzzing.py.
"""

import datetime
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from core.roles import TRAINERS
from courses.packs import MANIFEST, course_pack_export
from tests.certificates import factories as cert
from tests.courses.factories import add_course, add_lesson, catalog, single_choice, text
from tests.security.factories import StaffFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples on every run: a CI failure can be replayed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADERS = ["name,phone,village code,cohort", "姓名,手机号,村代码,班级", "name,phone", ""]
cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30
)  # any text, control characters and NUL included
xlsx_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


def _no_server_error(client: Client, response) -> None:
    assert response.status_code in (200, 302), (response.status_code, response.content[:300])
    if response.status_code == 302:
        follow = client.get(response["Location"])
        assert follow.status_code == 200, (follow.status_code, follow.content[:300])


@pytest.fixture
def roster_world():
    campaign = cert.campaign_in("610924000000")
    cert.cohort_in(campaign, "610924100201")
    officer = cert.officer(campaign.office)
    client = Client()
    client.force_login(officer)
    return client, reverse("campaigns:roster", args=[campaign.pk])


def _upload(client, url, name: str, content: bytes):
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@FUZZ
@given(body=st.binary(max_size=400), name=st.sampled_from(["r.csv", "r.xlsx", "r.txt", "r"]))
def test_any_bytes_as_a_roster_are_answered_without_a_server_error(roster_world, body, name):
    client, url = roster_world
    _no_server_error(client, _upload(client, url, name, body))


@FUZZ
@given(
    header=st.one_of(st.sampled_from(HEADERS), cell_text),
    rows=st.lists(
        st.lists(
            st.one_of(
                cell_text,
                st.sampled_from(["610924100201", "13800138000", "+86 138 0013 8001", "一期"]),
            ),
            max_size=6,
        ),
        max_size=8,
    ),
    separator=st.sampled_from([",", ";", "\t", "，"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
)
def test_any_csv_roster_is_answered_without_a_server_error(
    roster_world, header, rows, separator, encoding
):
    client, url = roster_world
    lines = [header, *(separator.join(cells) for cells in rows)]
    content = "\n".join(lines).encode(encoding, errors="replace")
    _no_server_error(client, _upload(client, url, "roster.csv", content))


xlsx_cells = st.one_of(
    st.none(),
    xlsx_text,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 1, 1)),
    st.just(13800138000),
    st.just(610924100201),
)


@FUZZ
@given(
    header=st.lists(st.one_of(xlsx_cells, st.sampled_from(["name", "phone", "village code"]))),
    rows=st.lists(st.lists(xlsx_cells, max_size=6), max_size=8),
)
def test_any_xlsx_roster_is_answered_without_a_server_error(roster_world, header, rows):
    client, url = roster_world
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _no_server_error(client, _upload(client, url, "roster.xlsx", buffer.getvalue()))


# --- course packs ---------------------------------------------------------------------------------


@pytest.fixture
def pack_world(tmp_path):
    course = add_course(catalog(), title="模糊测试课", slug="fuzz-pack")
    add_lesson(course, title="第一课", slug="one", body=[text()], quiz=[single_choice("哪个？")])
    path = tmp_path / "pack.zip"
    course_pack_export(slug="fuzz-pack", path=path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    course.delete()
    trainer = StaffFactory(username="fuzz-trainer", groups=[TRAINERS])
    client = Client()
    client.force_login(trainer)
    return client, files


def _paths(value, prefix=()):
    """Every path into a JSON document (dict keys and list indexes)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replaced(document, path, new):
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | cell_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(cell_text, children, max_size=3)
    ),
    max_leaves=6,
)


def _pack(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@FUZZ
@given(data=st.data())
def test_a_course_pack_with_any_manifest_value_changed_is_answered_without_a_server_error(
    pack_world, data
):
    client, files = pack_world
    manifest = json.loads(files[MANIFEST])
    path = data.draw(st.sampled_from(list(_paths(manifest))))
    new = data.draw(json_values)
    changed = {**files, MANIFEST: json.dumps(_replaced(manifest, path, new)).encode()}
    response = client.post(
        reverse("courses_pack_import"), {"file": SimpleUploadedFile("p.zip", _pack(changed))}
    )
    _no_server_error(client, response)


@FUZZ
@given(body=st.binary(max_size=400), keep=st.sets(st.integers(min_value=0, max_value=20)))
def test_any_bytes_or_a_partial_pack_is_answered_without_a_server_error(pack_world, body, keep):
    client, files = pack_world
    names = sorted(files)
    partial = {name: files[name] for i, name in enumerate(names) if i in keep}
    for content in (body, _pack(partial)):
        response = client.post(
            reverse("courses_pack_import"), {"file": SimpleUploadedFile("p.zip", content)}
        )
        _no_server_error(client, response)
