"""`python -m bench quick|full`: generate data, run every scenario, write bench/results/.

quick (`make bench`, ≤ 10 minutes): 10 k learners, 100 certificates, short load runs.
full (`make bench-full`): 10 k, 100 k and (on PostgreSQL) 1 M learners, 1,000 certificates,
longer load runs. A scenario that fails is reported as "not measured" with the error; the run
goes on.
"""

import argparse
import json
import sys
import time
import traceback
from dataclasses import asdict
from datetime import UTC, datetime

from . import RESULTS, machine, not_measured, result_new, result_write

PLANS = {
    "quick": {"scales": [10_000], "certificates": 100, "load_s": 8, "progress_s": 10},
    "full": {
        "scales": [10_000, 100_000, 1_000_000],
        "certificates": 1000,
        "load_s": 30,
        "progress_s": 30,
    },
}


def _guarded(name: str, title: str, action):
    """Run a scenario; on an exception, a result that says it was not measured and why."""
    try:
        return action()
    except Exception as exc:
        traceback.print_exc()
        result = result_new(name, title)
        not_measured(result, title, "", f"scenario failed: {type(exc).__name__}: {exc}"[:400])
        return result


def summary_markdown(results: list[dict], plan: str, started: dict, seconds: float) -> str:
    """The combined report: machine, command, one table of every budget line."""
    m = started
    out = [
        "# Benchmark summary",
        "",
        f"- command: `make bench{'' if plan == 'quick' else '-full'}` (`python -m bench {plan}`)",
        f"- run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} minutes",
        f"- machine: {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB, {m['system']}, "
        f"Python {m['python']}",
        f"- load average at start: {m['load_average']} (the machine was shared with other work)",
        f"- database: {results[0].get('database') if results else ''}",
        "",
        "| scenario | what | budget | figure | verdict | note |",
        "|---|---|---|---|---|---|",
    ]
    from . import figure_text

    for result in results:
        for line in result["lines"]:
            note = " ".join(str(line["note"]).split()).replace("|", "/")
            out.append(
                f"| {result['scenario']} | {line['what']} | {line['budget']} | "
                f"{figure_text(line)} | {line['verdict']} | {note} |"
            )
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("plan", choices=sorted(PLANS))
    parser.add_argument(
        "--max-learners", type=int, default=0, help="leave out larger generated scales"
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium scenarios")
    args = parser.parse_args(argv)
    plan = PLANS[args.plan]
    started_at, start_machine = time.perf_counter(), machine()
    print(f"bench {args.plan}: machine {json.dumps(start_machine, ensure_ascii=False)}", flush=True)

    from . import (
        certificates,
        dashboard,
        env,
        export,
        generate,
        pages,
        progress,
        queries,
        site,
        throughput,
    )

    vendor = env.setup()
    print(f"database: {vendor}; migrating and loading the demo site…", flush=True)
    env.prepare()
    generate.purge()
    scales = [s for s in plan["scales"] if not args.max_learners or s <= args.max_learners]
    datasets, notes = [], []
    for scale in scales:
        if scale >= 1_000_000 and vendor != "postgresql":
            notes.append(f"{scale:,} learners skipped: needs PostgreSQL (DATABASE_URL)")
            continue
        label = f"{scale // 1000}k" if scale < 1_000_000 else f"{scale // 1_000_000}M"
        print(f"generating {label} learners…", flush=True)
        made = generate.generate(learners=scale, label=label)
        print(f"  {made}", flush=True)
        datasets.append(asdict(made))
    generation = result_new("generate", "Synthetic data generation")
    for data in datasets:
        from . import INFO, line_add

        line_add(
            generation,
            f"generate {data['label']} learners ({vendor})",
            "10 k ≤ 60 s on SQLite; 1 M / 20 M events ≤ 30 min on PostgreSQL",
            data["seconds"],
            "s",
            INFO,
            f"{data['events']:,} events, {data['enrollments']:,} enrollments, "
            f"{data['certificates']:,} certificates, {data['rows_per_second']:,} rows/s",
        )
    for note in notes:
        not_measured(generation, note.split(":")[0], "", note)
    results = [generation]
    result_write(generation)

    def add(result):
        result_write(result)
        results.append(result)

    add(_guarded("queries", "SQL queries of the lesson page", queries.run))
    add(_guarded("dashboard", "Campaign dashboard latency", lambda: dashboard.run(datasets)))
    add(_guarded("export", "Export of a campaign's learner list", lambda: export.run(datasets)))
    add(
        _guarded(
            "progress",
            "Progress writes",
            lambda: progress.run(datasets, plan["progress_s"]),
        )
    )
    add(
        _guarded(
            "certificates",
            "Certificate rendering",
            lambda: certificates.run(plan["certificates"]),
        )
    )
    from learners.certificates.models import Certificate

    code = Certificate.objects.filter(status="issued").values_list("code", flat=True).first()
    learner_site = site.prepare(code)
    with site.Server(port=8181) as server:
        if args.no_browser:
            skipped = result_new("pages", "Page weight")
            not_measured(skipped, "page weight", "", "skipped (--no-browser)")
            add(skipped)
        else:
            add(
                _guarded(
                    "pages",
                    "Page weight and throttled lesson",
                    lambda: pages.run(server.base, learner_site, env.VAR / "media"),
                )
            )
        add(
            _guarded(
                "throughput",
                "Throughput",
                lambda: throughput.run(server.base, learner_site, plan["load_s"]),
            )
        )
    seconds = time.perf_counter() - started_at
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = summary_markdown(results, args.plan, start_machine, seconds)
    (RESULTS / "summary.md").write_text(text)
    print(text)
    print(f"bench {args.plan} finished in {seconds / 60:.1f} minutes", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
