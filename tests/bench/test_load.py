"""The load run's checks: what counts as a 5xx or a lost event, how the client reads its SMS
code, which learner list the export benchmark takes, and the combined summary (no timing)."""

import json

from django.utils import translation

from bench import MET, MISSED, line_add, result_new
from bench.__main__ import summary_compose
from bench.export import ROWS, choose
from bench.load import _report
from bench.sms import SpoolBackend
from bench.smscode import code_for


def _outcome(**changes) -> dict:
    outcome = {
        "requests": 1000,
        "seconds": 300.0,
        "requests_per_s": 3.3,
        "statuses": {"lesson page": {"200": 600}, "progress POST": {"200": 400}},
        "latencies_ms": {"lesson page": [80.0, 120.0], "progress POST": [50.0]},
        "accepted": {"+8613700000000": 30, "+8613700000001": 12},
        "sent": {"+8613700000000": 30, "+8613700000001": 12},
        "unconfirmed": 0,
        "retries": 0,
        "replays": 3,
        "replay_added": 0,
        "signed_in": 2,
        "sign_in_failed": {},
        "courses_finished": 2,
        "learners_finished": 0,
    }
    outcome.update(changes)
    return outcome


CERTIFICATES = {"completed_enrollments": 2, "issued": 2, "rendered": 2}


def _lines(result: dict) -> dict:
    return {line["what"]: line for line in result["lines"]}


def test_equal_counts_and_no_5xx_pass_the_load_run():
    result = result_new("load", "Load")
    server = {"+8613700000000": 30, "+8613700000001": 12}
    _report(result, _outcome(), server, CERTIFICATES, users=2)
    lines = _lines(result)
    assert lines["5xx responses"]["verdict"] == MET and lines["5xx responses"]["figure"] == 0
    assert lines["lost progress events"]["verdict"] == MET
    assert lines["lost progress events"]["figure"] == 0
    assert lines["sign-ins by phone + SMS code"]["verdict"] == MET


def test_an_event_the_server_accepted_but_does_not_hold_is_lost():
    result = result_new("load", "Load")
    server = {"+8613700000000": 29, "+8613700000001": 12}
    _report(result, _outcome(), server, CERTIFICATES, users=2)
    lost = _lines(result)["lost progress events"]
    assert lost["verdict"] == MISSED and lost["figure"] == 1
    assert "missing 1" in lost["note"]


def test_a_batch_never_confirmed_fails_the_run_even_when_counts_agree():
    result = result_new("load", "Load")
    server = {"+8613700000000": 30, "+8613700000001": 12}
    _report(result, _outcome(unconfirmed=1), server, CERTIFICATES, users=2)
    assert _lines(result)["lost progress events"]["verdict"] == MISSED


def test_any_5xx_response_fails_the_run():
    result = result_new("load", "Load")
    statuses = {"lesson page": {"200": 599, "502": 1}, "progress POST": {"200": 400}}
    server = {"+8613700000000": 30, "+8613700000001": 12}
    _report(result, _outcome(statuses=statuses), server, CERTIFICATES, users=2)
    fives = _lines(result)["5xx responses"]
    assert fives["verdict"] == MISSED and fives["figure"] == 1


def test_the_client_reads_its_own_newest_code_from_the_spool(tmp_path, monkeypatch):
    from learners.accounts.adapter import SMS_CODE

    spool = tmp_path / "spool.txt"
    monkeypatch.setenv("BENCH_SMS_SPOOL", str(spool))
    backend = SpoolBackend()
    with translation.override("zh-hans"):
        text = translation.gettext(SMS_CODE)
    backend.send("+8613700000001", text % {"code": "111111", "minutes": 10})
    backend.send("+8613700000002", text % {"code": "222222", "minutes": 10})
    backend.send("+8613700000001", text % {"code": "333333", "minutes": 10})
    assert code_for("+8613700000001", spool.read_text()) == "333333"
    assert code_for("+8613700000002", spool.read_text()) == "222222"
    assert code_for("+8613700000009", spool.read_text()) is None


def test_export_takes_the_smallest_area_with_at_least_100k_rows():
    datasets = [
        {"label": "10k", "enrollments": 30_000},
        {"label": "100k", "enrollments": 300_000},
        {"label": "1M", "enrollments": 3_000_000},
    ]
    data, level, _code = choose(datasets)
    assert (data["label"], level) == ("1M", "township")  # 3 M / 24 townships = 125 k rows
    assert 3_000_000 / 24 >= ROWS
    data, level, _code = choose(datasets[:1])
    assert (data["label"], level) == ("10k", "province")


def test_summary_has_the_quick_and_load_sections_with_their_machines(tmp_path):
    quick = result_new("queries", "Queries")
    line_add(quick, "lesson page queries", "≤ 10", 9, "queries", MET)
    (tmp_path / "queries.json").write_text(json.dumps(quick))
    meta = {"finished_at": "2026-11-29 10:00", "minutes": 7.5, "machine": quick["machine"]}
    (tmp_path / "run.json").write_text(json.dumps({**meta, "database": "sqlite"}))
    load = result_new("load", "Load")
    line_add(load, "5xx responses", "0", 0, "responses", MET)
    load["finished_at"] = "2026-11-29T10:10:00+00:00"
    (tmp_path / "load.json").write_text(json.dumps(load))
    text = summary_compose(tmp_path)
    assert "## Quick set: `make bench`" in text and "7.5 minutes" in text
    assert "| queries | lesson page queries | ≤ 10 | 9 queries | met |  |" in text
    assert "## Load run" in text and "| load | 5xx responses | 0 | 0 responses | met |  |" in text
    assert "## Full scale" not in text  # no full run on disk


def test_a_partial_rerun_is_listed_beside_the_whole_run(tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    result = result_new("dashboard", "Dashboard")
    line_add(result, "dashboard p95 at 1M learners", "p95 ≤ 500 ms", 140.0, "ms", MET)
    (full / "dashboard.json").write_text(json.dumps(result))
    rerun = {
        "finished_at": "2026-11-29 11:00",
        "minutes": 9.0,
        "machine": result["machine"],
        "note": "only dashboard; data of an earlier run",
    }
    meta = {
        "finished_at": "2026-11-29 09:50",
        "minutes": 27.1,
        "machine": result["machine"],
        "database": "postgresql",
        "reruns": [rerun],
    }
    (full / "run.json").write_text(json.dumps(meta))
    text = summary_compose(tmp_path)
    assert "## Full scale: `make bench-full`" in text and "27.1 minutes" in text
    assert "- re-run 2026-11-29 11:00 UTC (9.0 minutes" in text
    assert "only dashboard; data of an earlier run" in text
    assert "| dashboard | dashboard p95 at 1M learners | p95 ≤ 500 ms | 140.0 ms | met |" in text
