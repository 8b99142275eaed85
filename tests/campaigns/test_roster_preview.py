"""Roster preview: every bad row is listed with its line and reason, and nothing is written."""

import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook

from campaigns.models import RosterImport
from campaigns.services.roster import (
    INVALID,
    MAX_ROWS,
    RosterFileError,
    parse_roster,
    roster_preview,
    roster_validate,
)
from learners.accounts.models import LearnerProfile

from .factories import CampaignFactory, CohortFactory, ProgramOfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["name", "phone", "village code", "cohort"]


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    lines = [",".join(header), *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def campaign(tree):
    office = ProgramOfficeFactory(region=tree.a)
    campaign = CampaignFactory(office=office)
    CohortFactory(campaign=campaign, village=tree.va1, name="一期", join_code="AAAA22")
    other = CampaignFactory(office=office)
    CohortFactory(campaign=other, village=tree.va1, name="别的班", join_code="BBBB22")
    return campaign


BAD_ROWS = [
    ("张三", "13812345678", "621102100201", "一期"),  # 2 valid
    ("李四", "12345", "621102100201", ""),  # 3 bad phone
    ("王五", "13912345678", "999999999999", ""),  # 4 unknown village
    ("赵六", "+86 138 1234 5678", "621102100202", ""),  # 5 duplicate of line 2
    ("孙七", "13712345678", "621102100201", "别的班"),  # 6 cohort of another campaign
    ("周八", "13612345678", "621121100201", ""),  # 7 village outside the campaign's region
    ("", "13512345678", "621102100201", ""),  # 8 no name
    ("吴九", "02012345678", "621102100201", ""),  # 9 landline, not a mobile
]
EXPECTED_REASONS = {
    3: "not a mainland China mobile number",
    4: "No village with code",
    5: "already on line 2",
    6: "No cohort",
    7: "No village with code",
    8: "name is empty",
    9: "not a mainland China mobile number",
}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_each_kind_of_bad_row_is_reported_with_line_and_reason(campaign, kind):
    content = csv_bytes(BAD_ROWS) if kind == "csv" else xlsx_bytes(BAD_ROWS)
    users_before = get_user_model().objects.count()
    roster = roster_preview(
        campaign=campaign, uploaded_by=None, content=content, filename=f"roster.{kind}"
    )
    invalid = {r["line"]: " ".join(r["reasons"]) for r in roster.rows if r["outcome"] == INVALID}
    assert sorted(invalid) == sorted(EXPECTED_REASONS)
    for line, reason in EXPECTED_REASONS.items():
        assert reason in invalid[line], (line, invalid[line])
    assert (roster.valid_count, roster.invalid_count) == (1, 7)
    assert roster.rows[0]["phone"] == "+8613812345678"
    assert roster.status == RosterImport.Status.PREVIEW
    assert get_user_model().objects.count() == users_before
    assert not LearnerProfile.objects.exists()


def test_xlsx_numbers_are_read_as_text(campaign):
    content = xlsx_bytes([("张三", 13812345678, 621102100201, "")])
    roster = roster_preview(campaign=campaign, uploaded_by=None, content=content, filename="r.xlsx")
    assert roster.rows[0]["outcome"] == "new", roster.rows[0]["reasons"]


def test_gbk_csv_from_chinese_excel_is_read(campaign):
    content = csv_bytes([("张三", "13812345678", "621102100201", "一期")], encoding="gb18030")
    rows = roster_validate(campaign=campaign, rows=parse_roster(content=content, filename="r.csv"))
    assert rows[0].name == "张三"
    assert rows[0].outcome == "new"


def test_chinese_headers_are_understood(campaign):
    content = csv_bytes(
        [("张三", "13812345678", "621102100201", "")], header=["姓名", "手机号", "村代码", "班级"]
    )
    assert parse_roster(content=content, filename="r.csv")[0].phone == "13812345678"


def test_existing_learner_is_matched_by_phone(campaign):
    user = UserFactory(username="known")
    LearnerProfile.objects.create(user=user, display_name="张三", phone="+8613812345678")
    content = csv_bytes([("张三", "138-1234-5678", "621102100201", "")])
    roster = roster_preview(campaign=campaign, uploaded_by=None, content=content, filename="r.csv")
    assert roster.rows[0]["outcome"] == "existing"


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"", "r.csv"),
        (csv_bytes([]), "r.csv"),
        (b"foo,bar\n1,2\n", "r.csv"),
        (b"not a zip", "r.xlsx"),
        (b"\xff\xfe\x00garbage\x81", "r.csv"),
    ],
)
def test_unreadable_files_are_refused_whole(campaign, content, filename):
    with pytest.raises(RosterFileError):
        roster_preview(campaign=campaign, uploaded_by=None, content=content, filename=filename)
    assert not RosterImport.objects.exists()


def test_files_over_the_row_limit_are_refused(campaign):
    rows = [("x", f"138{n:08d}", "621102100201", "") for n in range(MAX_ROWS + 1)]
    with pytest.raises(RosterFileError, match="more than"):
        parse_roster(content=csv_bytes(rows), filename="r.csv")
