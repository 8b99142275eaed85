"""Benchmarks against the budgets of docs/design.md: `python -m bench quick|full`.

Every scenario returns a result (see `result_new`) with one line per budget: the budget, the figure,
the verdict (met / missed / not measured) and the machine it ran on, including its load average,
because the figures of a shared machine mean little without it.
"""

import json
import math
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

MET = "met"
MISSED = "missed"
NOT_MEASURED = "not measured"
INFO = "no budget"


def percentile(values, p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def verdict(figure, budget, *, at_most: bool = True) -> str:
    """`met` when the figure is within the budget (≤ for ceilings, ≥ for floors), else `missed`."""
    if figure is None:
        return NOT_MEASURED
    return MET if (figure <= budget if at_most else figure >= budget) else MISSED


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or what platform knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """Cores, CPU, memory and the load average right now."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gib": memory,
        "load_average": load,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def commit() -> str:
    """The checked-out commit (short), with `+changes` when the work tree differs from it."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False, timeout=30
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def result_new(name: str, title: str) -> dict:
    """An empty result for scenario `name`, stamped with the machine, the commit and the time."""
    return {
        "scenario": name,
        "title": title,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": machine(),
        "database": os.environ.get("BENCH_DB_VENDOR", ""),
        "lines": [],
        "details": {},
    }


def line_add(result: dict, what: str, budget: str, figure, unit: str, state: str, note: str = ""):
    """Append one budget line (figure None when not measured; note says why)."""
    result["lines"].append(
        {
            "what": what,
            "budget": budget,
            "figure": figure,
            "unit": unit,
            "verdict": state,
            "note": note,
        }
    )


def not_measured(result: dict, what: str, budget: str, reason: str) -> None:
    """A budget line that could not be measured, with the reason."""
    line_add(result, what, budget, None, "", NOT_MEASURED, reason)


def figure_text(line: dict) -> str:
    """`12.3 KB`-style text of a line's figure."""
    figure = line["figure"]
    if figure is None:
        return "—"
    if isinstance(figure, float):
        figure = f"{figure:,.1f}" if abs(figure) >= 10 else f"{figure:,.2f}"
    return f"{figure} {line['unit']}".strip()


def table_text(result: dict) -> str:
    """A plain-text table of a result's lines."""
    rows = [("what", "budget", "figure", "verdict", "note")]
    rows += [
        (ln["what"], ln["budget"], figure_text(ln), ln["verdict"], ln["note"])
        for ln in result["lines"]
    ]
    widths = [min(60, max(len(str(r[i])) for r in rows)) for i in range(4)]
    out = [f"== {result['title']} ({result['scenario']}) =="]
    for row in rows:
        out.append(
            "  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths, strict=False))
            + (f"  {row[4]}" if row[4] else "")
        )
    return "\n".join(out)


def result_write(result: dict, folder: Path = RESULTS) -> Path:
    """Write `<folder>/<scenario>.json` and print the table."""
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result['scenario']}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(table_text(result), flush=True)
    return path


class Stopwatch:
    """Wall-clock timer: `with Stopwatch() as sw: ...; sw.seconds`."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        return False
