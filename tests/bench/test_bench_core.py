"""The benchmark's pure computations: percentiles, verdicts, weights, reports (no timing)."""

import json

import pytest

from bench import (
    INFO,
    MET,
    MISSED,
    NOT_MEASURED,
    line_add,
    not_measured,
    percentile,
    result_new,
    result_write,
    table_text,
    verdict,
)
from bench.__main__ import summary_markdown
from bench.hammer import request_bytes, status_of
from bench.pages import gzip_size, weigh


def test_percentile_interpolates_between_closest_ranks():
    values = list(range(1, 101))
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 100


def test_percentile_ignores_input_order_and_handles_one_value():
    assert percentile([30, 10, 20], 50) == 20
    assert percentile([7.5], 95) == 7.5


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_ceiling_budget_is_met_up_to_and_including_the_limit():
    assert verdict(500, 500) == MET
    assert verdict(500.1, 500) == MISSED


def test_floor_budget_is_met_from_the_limit_up():
    assert verdict(300, 300, at_most=False) == MET
    assert verdict(299.9, 300, at_most=False) == MISSED


def test_missing_figure_is_not_measured():
    assert verdict(None, 10) == NOT_MEASURED


def test_result_records_the_machine_and_its_load():
    result = result_new("demo", "Demo")
    assert result["machine"]["cores"] >= 1
    assert len(result["machine"]["load_average"]) == 3
    assert result["machine"]["cpu"]


def test_result_file_and_table_carry_every_line(tmp_path, capsys):
    result = result_new("demo", "Demo scenario")
    line_add(result, "page size", "≤ 14 KB", 12.5, "KB", MET, "gzip 6")
    not_measured(result, "dashboard", "p95 ≤ 500 ms", "campaigns missing")
    path = result_write(result, folder=tmp_path)
    stored = json.loads(path.read_text())
    assert path.name == "demo.json"
    assert [line["verdict"] for line in stored["lines"]] == [MET, NOT_MEASURED]
    assert stored["lines"][1]["note"] == "campaigns missing"
    printed = capsys.readouterr().out
    assert "12.5 KB" in printed and "not measured" in printed
    assert "campaigns missing" in table_text(stored)


def test_summary_lists_machine_command_and_every_budget_line():
    result = result_new("demo", "Demo")
    line_add(result, "req/s", "(none)", 41.0, "req/s", INFO, "p95 | 80 ms")
    text = summary_markdown([result], "quick", result["machine"], 125)
    assert "`make bench`" in text
    assert str(result["machine"]["load_average"]) in text
    assert "| demo | req/s | (none) | 41.0 req/s | no budget | p95 / 80 ms |" in text


def test_weights_group_by_kind_and_leave_media_out_of_the_page_total():
    responses = [
        {"type": "document", "raw": 9000, "gzip": 3000},
        {"type": "stylesheet", "raw": 4000, "gzip": 1000},
        {"type": "script", "raw": 3000, "gzip": 1200},
        {"type": "script", "raw": 1000, "gzip": 500},
        {"type": "image", "raw": 50000, "gzip": 49000},
        {"type": "media", "raw": 90000, "gzip": 89000},
        {"type": "manifest", "raw": 300, "gzip": 200},
    ]
    weights = weigh(responses)
    assert weights["by_kind"]["js"] == {"count": 2, "raw": 4000, "gzip": 1700}
    assert weights["by_kind"]["other"]["count"] == 1
    assert weights["media_free_gzip"] == 3000 + 1000 + 1700 + 200


def test_gzip_size_is_what_a_compressing_proxy_sends():
    body = b"<p>" + "数字乡村课堂".encode() * 500 + b"</p>"
    assert 0 < gzip_size(body) < len(body) / 10


def test_load_generator_requests_are_valid_http():
    raw = request_bytes(
        "POST", "http://127.0.0.1:8181/api/progress/?x=1", {"Cookie": "a=b"}, b'{"events": []}'
    )
    head, body = raw.split(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /api/progress/?x=1 HTTP/1.1"
    assert "Host: 127.0.0.1:8181" in lines and "Connection: close" in lines
    assert "Content-Length: 14" in lines and body == b'{"events": []}'


def test_status_of_reads_the_status_line_or_gives_zero():
    assert status_of(b"HTTP/1.1 403 Forbidden\r\n\r\n") == 403
    assert status_of(b"") == 0
