"""Issue 18's benchmark checks: when a capacity step passes, how the load generator reads
responses, Lighthouse's CLS from layout shifts, and the summary's capacity section (no timing)."""

import gzip
import json

from bench import MET, MISSED, line_add, result_new
from bench.__main__ import summary_compose
from bench.capacity import _address, _report, judge, steps_markdown
from bench.hammer import parse
from bench.pages import cls_of
from bench.sms import SpoolBackend
from bench.smscode import codes_in

A, B = "+8613600000000", "+8613600000001"


def _outcome(**changes) -> dict:
    outcome = {
        "requests": 900,
        "requests_per_s": 5.0,
        "statuses": {"lesson page": {"200": 500}, "progress POST": {"200": 400}},
        "latencies_ms": {"lesson page": {"n": 500, "p50": 60.0, "p95": 240.0}},
        "accepted": {A: 30, B: 12},
        "sent": {A: 30, B: 12},
        "unconfirmed": 0,
        "retries": 0,
        "sign_ins_planned": 2,
        "signed_in": 2,
        "sign_in_failed": {},
        "seconds": 180.0,
        "generator_cpu_seconds": 5.4,
        "generator_cpu_share_of_one_core": 0.03,
    }
    outcome.update(changes)
    return outcome


BEFORE = {A: 100, B: 7}
AFTER = {A: 130, B: 19}


def test_a_step_with_every_event_held_no_5xx_and_a_fast_lesson_passes():
    step = judge(2, _outcome(), BEFORE, AFTER)
    assert step["passed"] and step["lost_events"] == 0 and step["fives"] == 0
    assert step["events"]["server_rows_added"] == 42


def test_an_event_the_server_accepted_but_does_not_hold_fails_the_step():
    step = judge(2, _outcome(), BEFORE, {A: 129, B: 19})
    assert not step["passed"] and step["events"]["missing"] == 1


def test_rows_no_batch_accounts_for_fail_the_step():
    step = judge(2, _outcome(), BEFORE, {A: 131, B: 19})
    assert not step["passed"] and step["events"]["unexpected"] == 1


def test_a_batch_held_whose_answer_was_lost_is_not_a_lost_event():
    # The first answer never arrived; the retry found the events already stored (accepted 0).
    step = judge(2, _outcome(accepted={A: 20, B: 12}), BEFORE, AFTER)
    assert step["lost_events"] == 0 and step["passed"]


def test_a_batch_never_confirmed_fails_the_step_even_when_held():
    step = judge(2, _outcome(unconfirmed=1), BEFORE, AFTER)
    assert step["lost_events"] == 0 and not step["passed"]


def test_a_single_5xx_fails_the_step():
    statuses = {"lesson page": {"200": 499, "502": 1}, "progress POST": {"200": 400}}
    step = judge(2, _outcome(statuses=statuses), BEFORE, AFTER)
    assert not step["passed"] and step["fives"] == 1


def test_a_refused_connection_fails_the_step():
    statuses = {"lesson page": {"200": 499, "ConnectionRefusedError": 1}}
    step = judge(2, _outcome(statuses=statuses), BEFORE, AFTER)
    assert not step["passed"] and step["failed_connections"] == 1


def test_a_lesson_p95_over_500_ms_fails_the_step():
    slow = {"lesson page": {"n": 500, "p50": 300.0, "p95": 501.0}}
    assert not judge(2, _outcome(latencies_ms=slow), BEFORE, AFTER)["passed"]


def test_a_sign_in_that_did_not_succeed_fails_the_step():
    assert not judge(2, _outcome(signed_in=1), BEFORE, AFTER)["passed"]


def _step(n: int, passed: bool) -> dict:
    step = judge(n, _outcome(), BEFORE, AFTER if passed else {A: 129, B: 19})
    step["cpu"] = {
        "machine_busy_percent": 97.0,
        "percent_of_all_cores": {
            "gunicorn": 70.0,
            "postgres (this database)": 12.0,
            "load generator": 1.5,
            "rest of the machine (other work)": 15.0,
        },
    }
    step["load_average_before"] = step["load_average_after"] = [1.0, 1.0, 1.0]
    return step


def test_the_capacity_is_the_largest_passing_step_and_names_what_bounds_it():
    result = result_new("capacity", "Capacity")
    _report(result, [_step(3000, True), _step(4000, True), _step(5000, False)])
    line = result["lines"][0]
    assert line["figure"] == 4000 and line["verdict"] == MET
    assert "5,000 failed (1 lost events)" in line["note"]
    assert "CPU of gunicorn (70.0% of both cores" in line["note"]
    generator = next(ln for ln in result["lines"] if ln["what"].startswith("load generator"))
    assert generator["figure"] == 1.5 and "at 5,000 learners" in generator["note"]


def test_the_detail_file_has_a_row_per_step_with_each_roles_cpu():
    result = result_new("capacity", "Capacity")
    _report(result, [_step(3000, True), _step(4000, False)])
    text = steps_markdown(result)
    assert "| 3,000 | passed |" in text and "| 4,000 | failed |" in text
    assert "| 70.0 | 12.0 | 1.5 |" in text  # gunicorn, postgres, the generator


def test_a_capacity_below_3000_learners_misses_the_target():
    result = result_new("capacity", "Capacity")
    _report(result, [_step(2000, True), _step(3000, False)])
    assert result["lines"][0]["figure"] == 2000 and result["lines"][0]["verdict"] == MISSED


def test_every_simulated_phone_has_its_own_valid_address():
    import ipaddress

    addresses = [_address(index) for index in range(20_000)]
    assert len(set(addresses)) == len(addresses)
    assert all(ipaddress.ip_address(a).is_private for a in addresses)


def test_the_generator_reads_chunked_gzipped_responses_and_every_cookie():
    body = gzip.compress(b'{"accepted": 3}')
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
        b"Set-Cookie: csrftoken=abc; Path=/\r\nSet-Cookie: sessionid=xyz; HttpOnly\r\n\r\n"
    ) + chunked
    status, headers, content = parse(raw)
    assert status == 200 and json.loads(content) == {"accepted": 3}
    assert [v for k, v in headers if k == "set-cookie"] == [
        "csrftoken=abc; Path=/",
        "sessionid=xyz; HttpOnly",
    ]


def test_the_spool_gives_every_code_in_the_order_sent(tmp_path, monkeypatch):
    spool = tmp_path / "spool.txt"
    monkeypatch.setenv("BENCH_SMS_SPOOL", str(spool))
    backend = SpoolBackend()
    backend.send(A, "您的登录验证码是 111111，10 分钟内有效。", key="login")
    backend.send(B, "您的登录验证码是 222222，10 分钟内有效。")
    assert codes_in(spool.read_text()) == [(A, "111111"), (B, "222222")]


def test_cls_is_the_largest_session_window_of_shifts():
    shifts = [
        {"value": 0.05, "at": 100},
        {"value": 0.05, "at": 900},  # same window: gap < 1 s
        {"value": 0.08, "at": 3000},  # a new window after a gap of 2.1 s
    ]
    assert round(cls_of(shifts), 4) == 0.1


def test_a_window_closes_after_five_seconds_even_without_a_gap():
    shifts = [{"value": 0.01, "at": 500 * i} for i in range(12)]  # 0 … 5.5 s, gaps of 0.5 s
    assert round(cls_of(shifts), 4) == 0.1  # 0 … 4.5 s: ten shifts; the rest a new window


def test_no_shift_is_a_cls_of_zero():
    assert cls_of([]) == 0


def test_summary_has_the_capacity_section_with_each_scenarios_commit_and_load(tmp_path):
    folder = tmp_path / "capacity"
    folder.mkdir()
    result = result_new("capacity", "Capacity")
    line_add(result, "concurrent learners served", "≥ 3,000", 3500, "learners", MET)
    result["finished_at"] = "2026-12-07T10:40:00+00:00"
    (folder / "capacity.json").write_text(json.dumps(result))
    meta = {
        "finished_at": "2026-12-07 10:40",
        "minutes": 30.0,
        "machine": result["machine"],
        "database": "postgresql",
    }
    (folder / "run.json").write_text(json.dumps(meta))
    text = summary_compose(tmp_path)
    assert "## Capacity and speed (issue 18): `make bench-capacity`" in text
    assert f"commit {result['commit']}" in text
    assert "| capacity | concurrent learners served | ≥ 3,000 | 3500 learners | met |" in text
