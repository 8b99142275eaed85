"""`python -m bench quick|full|capacity`: generate data, run every scenario, write bench/results/.

quick (`make bench`, ≤ 10 minutes): 10 k learners, 100 certificates, short load runs.
full (`make bench-full`): 10 k, 100 k and (on PostgreSQL) 1 M learners, 1,000 certificates,
longer load runs. capacity (`make bench-capacity`, issue 18, ~30 minutes; PostgreSQL, Redis): the
pages in Chromium (layout shift, throttled first paint beside a static 10 KB page), the lesson's
throughput beside a bare Wagtail page of its size, then the capacity steps. A scenario that fails
is reported as "not measured" with the error; the run goes on.
"""

import argparse
import json
import sys
import time
import traceback
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from . import MISSED, RESULTS, machine, not_measured, result_new, result_write, verdict

PLANS = {
    "quick": {
        "scales": [10_000],
        "certificates": 100,
        "load_s": 8,
        "progress_s": 10,
        "folder": "",
        "command": "make bench",
    },
    "full": {
        "scales": [10_000, 100_000, 1_000_000],
        "certificates": 1000,
        "load_s": 30,
        "progress_s": 30,
        "folder": "full",
        "command": "make bench-full",
    },
    "load": {"scales": [], "folder": "", "command": "python -m bench load"},
    "capacity": {
        "scales": [],
        "load_s": 15,
        "folder": "capacity",
        "command": "make bench-capacity",
    },
}
# What the capacity plan runs (in this order); the other plans leave `capacity` out.
CAPACITY_SCENARIOS = {"pages", "throughput", "capacity", "costs"}
# Scenarios in report order; `load` writes bench/results/load.json whichever plan runs it.
SCENARIOS = [
    "generate",
    "queries",
    "dashboard",
    "export",
    "reminders",
    "progress",
    "certificates",
    "pages",
    "throughput",
    "capacity",
    "costs",
    "load",
]
SECTIONS = [
    ("", "Quick set", "make bench", "python -m bench quick"),
    ("full", "Full scale", "make bench-full", "python -m bench full"),
    (
        "capacity",
        "Capacity and speed (issue 18)",
        "make bench-capacity",
        "python -m bench capacity",
    ),
]


def _guarded(name: str, title: str, action):
    """Run a scenario; on an exception, a result that says it was not measured and why."""
    try:
        return action()
    except Exception as exc:
        traceback.print_exc()
        result = result_new(name, title)
        not_measured(result, title, "", f"scenario failed: {type(exc).__name__}: {exc}"[:400])
        return result


def _table(results: list[dict]) -> list[str]:
    from . import figure_text

    out = [
        "| scenario | what | budget | figure | verdict | note |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        for line in result["lines"]:
            note = " ".join(str(line["note"]).split()).replace("|", "/")
            out.append(
                f"| {result['scenario']} | {line['what']} | {line['budget']} | "
                f"{figure_text(line)} | {line['verdict']} | {note} |"
            )
    return out


def summary_markdown(results: list[dict], plan: str, started: dict, seconds: float) -> str:
    """One run's report: machine, command, one table of every budget line."""
    m = started
    command = PLANS[plan]["command"]
    out = [
        "# Benchmark summary",
        "",
        f"- command: `{command}` (`python -m bench {plan}`)",
        f"- run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} minutes",
        f"- machine: {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB, {m['system']}, "
        f"Python {m['python']}",
        f"- load average at start: {m['load_average']} (the machine was shared with other work)",
        f"- database: {results[0].get('database') if results else ''}",
        "",
        *_table(results),
    ]
    return "\n".join(out) + "\n"


def _conditions(results: list[dict]) -> list[str]:
    """Each scenario's own time, load average and commit (figures of one run each)."""
    return [
        f"- {r['scenario']}: {r['started_at']} to {r.get('finished_at', '?')}, load average at "
        f"start {r['machine']['load_average']}, commit {r.get('commit', 'not recorded')}"
        for r in results
    ]


def _acceptance(results: list[dict]) -> list[str]:
    """Issue 18's acceptance lines (budgets marked `(issue 18)`) as a table of their own."""
    rows = [
        (result, line)
        for result in results
        for line in result["lines"]
        if "(issue 18)" in line["budget"]
    ]
    if not rows:
        return []
    table = _table([{**result, "lines": [line]} for result, line in rows])
    return ["", "Issue 18 acceptance (each line from its scenario below):", "", *table]


def _stored(folder: Path) -> list[dict]:
    found = []
    for name in SCENARIOS:
        path = folder / f"{name}.json"
        if name != "load" and path.exists():
            found.append(json.loads(path.read_text()))
    return found


def summary_compose(root: Path = RESULTS) -> str:
    """bench/results/summary.md: the quick set, the full-scale run and the load run, each with
    its command, time, machine and load average, from the result files on disk."""
    out = [
        "# Benchmark summary",
        "",
        "Budgets from docs/design.md; every line says met / missed / not measured (and why) or",
        "`no budget` for figures docs/design.md does not bound. Figures from a shared 2-core",
        "machine: read them with the load average of their run. How they are measured:",
        "docs/decisions/0060-benchmarks.md.",
    ]
    for folder, title, command, module in SECTIONS:
        results = _stored(root / folder)
        meta_path = root / folder / "run.json"
        if not results or not meta_path.exists():
            continue
        meta = json.loads(meta_path.read_text())
        m = meta["machine"]
        out += [
            "",
            f"## {title}: `{command}` (`{module}`)",
            "",
            f"- run: {meta['finished_at']} UTC, {meta['minutes']:.1f} minutes"
            + (f" ({meta['note']})" if meta.get("note") else ""),
            f"- machine: {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB, {m['system']}, "
            f"Python {m['python']}",
            f"- load average at start: {m['load_average']} (the machine was shared with other "
            "work)",
            f"- database: {meta['database']}",
            *(
                f"- re-run {r['finished_at']} UTC ({r['minutes']:.1f} minutes, load average at "
                f"start {r['machine']['load_average']}"
                + (
                    f", {r['database']}"
                    if r.get("database", meta["database"]) != meta["database"]
                    else ""
                )
                + f"): {r['note']}"
                for r in meta.get("reruns", [])
            ),
            *(_conditions(results) if folder == "capacity" else []),
            *(_acceptance(results) if folder == "capacity" else []),
            "",
            *_table(results),
        ]
    load = root / "load.json"
    if load.exists():
        result = json.loads(load.read_text())
        m = result["machine"]
        out += [
            "",
            "## Load run: `python -m bench load` (also part of `make bench-full`)",
            "",
            f"- run: {result['started_at']} to {result['finished_at']}",
            f"- machine: {m['cores']} cores, {m['cpu']}, load average at start {m['load_average']}",
            f"- database: {result['database']}",
            "",
            *_table([result]),
        ]
    return "\n".join(out) + "\n"


def _datasets_file(vendor: str) -> Path:
    from django.db import connection

    from . import env

    name = Path(str(connection.settings_dict["NAME"])).name
    return env.path_of(f"datasets-{vendor}-{name}.json")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("plan", choices=sorted(PLANS))
    parser.add_argument(
        "--max-learners", type=int, default=0, help="leave out larger generated scales"
    )
    parser.add_argument(
        "--scales",
        default="",
        help="comma-separated learner counts to generate instead of the plan's (e.g. 1000000)",
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium scenarios")
    parser.add_argument(
        "--only", default="", help=f"comma-separated scenarios to run (of {', '.join(SCENARIOS)})"
    )
    parser.add_argument(
        "--steps", default="", help="capacity: comma-separated learner counts to step through"
    )
    parser.add_argument(
        "--step-seconds", type=float, default=0, help="capacity: length of each step in seconds"
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the data the previous run of this plan generated in this database",
    )
    args = parser.parse_args(argv)
    plan = PLANS[args.plan]
    chosen = set(args.only.split(",")) if args.only else set(SCENARIOS)
    if args.plan == "load":
        chosen = {"load"}
    elif args.plan == "capacity":
        chosen &= CAPACITY_SCENARIOS
    else:
        chosen -= CAPACITY_SCENARIOS - {"pages", "throughput"}
    if args.plan == "quick":
        chosen.discard("load")
    folder = RESULTS / plan["folder"]
    started_at, start_machine = time.perf_counter(), machine()
    print(f"bench {args.plan}: machine {json.dumps(start_machine, ensure_ascii=False)}", flush=True)

    from . import (
        capacity,
        certificates,
        dashboard,
        env,
        export,
        generate,
        pages,
        progress,
        queries,
        reminders,
        site,
        throughput,
    )
    from . import load as load_run

    vendor = env.setup()
    print(f"database: {vendor}; migrating and loading the demo site…", flush=True)
    env.prepare()
    results = []

    def add(result, where: Path = folder):
        result_write(result, where)
        results.append(result)

    if args.plan == "capacity":
        if chosen & {"pages", "throughput"}:
            _served(args, plan, chosen, env, site, pages, throughput, add)
        if "capacity" in chosen:
            steps = [int(s) for s in args.steps.split(",") if s] or capacity.STEPS
            seconds = args.step_seconds or capacity.STEP_SECONDS
            add(_guarded("capacity", "Capacity", lambda: capacity.run(steps, seconds)))
        if "costs" in chosen:
            add(_guarded("costs", "App-server CPU per request", capacity.costs_run))
    elif args.plan != "load":
        datasets = _data(args, plan, vendor, chosen, generate, add)
        if "queries" in chosen:
            add(_guarded("queries", "SQL queries of the lesson page", queries.run))
        if "dashboard" in chosen:
            add(
                _guarded("dashboard", "Campaign dashboard latency", lambda: dashboard.run(datasets))
            )
        if "export" in chosen:
            add(
                _guarded(
                    "export", "Export of a campaign's learner list", lambda: export.run(datasets)
                )
            )
        if "reminders" in chosen:
            add(
                _guarded(
                    "reminders",
                    "Planning a day's reminders",
                    lambda: reminders.run(datasets),
                )
            )
        if "progress" in chosen:
            add(
                _guarded(
                    "progress",
                    "Progress writes",
                    lambda: progress.run(datasets, plan["progress_s"]),
                )
            )
        if "certificates" in chosen:
            add(
                _guarded(
                    "certificates",
                    "Certificate rendering",
                    lambda: certificates.run(plan["certificates"]),
                )
            )
        if chosen & {"pages", "throughput"}:
            _served(args, plan, chosen, env, site, pages, throughput, add)
    if "load" in chosen:
        add(_guarded("load", "Load run", load_run.run), RESULTS)
    seconds = time.perf_counter() - started_at
    if args.plan != "load":
        meta = {
            "plan": args.plan,
            "finished_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
            "minutes": round(seconds / 60, 2),
            "machine": start_machine,
            "database": vendor,
            "note": "only " + ", ".join(sorted(chosen)) if args.only else "",
        }
        if args.reuse_data:
            meta["note"] = (meta["note"] + "; " if meta["note"] else "") + "data of an earlier run"
        folder.mkdir(parents=True, exist_ok=True)
        meta_path = folder / "run.json"
        if args.only and meta_path.exists():
            # A partial re-run: keep the whole run's record, list the re-run beside it.
            whole = json.loads(meta_path.read_text())
            whole["reruns"] = [*whole.get("reruns", []), meta]
            meta = whole
        meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    text = summary_compose()
    (RESULTS / "summary.md").write_text(text)
    print(summary_markdown(results, args.plan, start_machine, seconds))
    print(f"bench {args.plan} finished in {seconds / 60:.1f} minutes", flush=True)
    return 0


def _data(args, plan, vendor, chosen, generate, add) -> list[dict]:
    """Generate every scale of the plan (after purging earlier runs' data), or reuse it."""
    from . import INFO, line_add

    stored = _datasets_file(vendor)
    if args.reuse_data and stored.exists():
        return json.loads(stored.read_text())
    generate.purge()
    wanted = [int(s) for s in args.scales.split(",") if s] or plan["scales"]
    scales = [s for s in wanted if not args.max_learners or s <= args.max_learners]
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
        stored.write_text(json.dumps(datasets))
    from . import env

    env.analyze()
    generation = result_new("generate", "Synthetic data generation")
    for data in datasets:
        budget, state = "(none at this scale)", INFO
        if data["learners"] == 10_000 and vendor == "sqlite":
            budget, state = "10 k ≤ 60 s on SQLite", verdict(data["seconds"], 60)
        elif data["learners"] >= 1_000_000 and vendor == "postgresql":
            budget = "1 M learners / 20 M events ≤ 30 min on PostgreSQL"
            state = verdict(data["seconds"], 30 * 60)
            if data["events"] < 20_000_000:
                state = MISSED
        line_add(
            generation,
            f"generate {data['label']} learners ({vendor})",
            budget,
            data["seconds"],
            "s",
            state,
            f"{data['events']:,} events, {data['enrollments']:,} enrollments, "
            f"{data['lesson_progress']:,} lesson progress rows, "
            f"{data['certificates']:,} certificates, {data['rows_per_second']:,} rows/s",
        )
    for note in notes:
        not_measured(generation, note.split(":")[0], "", note)
    if "generate" in chosen or not args.only:
        add(generation)
    return datasets


def _served(args, plan, chosen, env, site, pages, throughput, add) -> None:
    """The scenarios that need gunicorn: page weight (Chromium) and throughput."""
    from learners.certificates.models import Certificate

    code = Certificate.objects.filter(status="issued").values_list("code", flat=True).first()
    learner_site = site.prepare(code)
    with site.Server(port=8181) as server:
        if "pages" in chosen:
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
        if "throughput" in chosen:
            add(
                _guarded(
                    "throughput",
                    "Throughput",
                    lambda: throughput.run(server.base, learner_site, plan["load_s"]),
                )
            )


if __name__ == "__main__":
    sys.exit(main())
