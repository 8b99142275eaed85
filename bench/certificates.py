"""Certificate rendering throughput and memory: `python -m bench.certificates [--count N]`.

Budget (DESIGN.md): at least 4 certificates (PDF + PNG) a second on one core, with the CJK font,
each PDF at most 150 KB, and resident memory flat over 1,000 renders. Pure rendering, no
database: the same functions the Celery worker calls.
"""

import argparse
import json
import os
import resource
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

NAMES = ["𠮷野 家明", "王堃", "李昇", "赵玥", "䶮", "欧阳娜娜", "张三", "买买提·艾力"]
BUDGET_PER_SECOND = 4
BUDGET_PDF_BYTES = 150 * 1024


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(count: int) -> dict:
    """Render `count` certificates in this process and measure them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()
    from learners.certificates.render import CertificateContent, render_pdf, render_png

    def content(i: int) -> CertificateContent:
        code = f"{i:016d}"
        return CertificateContent(
            learner_name=NAMES[i % len(NAMES)],
            course_title="手机网购与防范电信网络诈骗",
            hours=Decimal("1.5"),
            completed_on=date(2026, 11, 29),
            issuer_name="石泉县农业农村局",
            signatory_name="王建国",
            code=code,
            verify_url=f"https://verify.example.cn/c/{code}",
        )

    # Warm-up: font instances and registration happen once per worker process.
    render_pdf(content(0))
    render_png(content(0))
    rss_start = _rss_kib()
    sizes = []
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    rss_at_100 = None
    for i in range(count):
        pdf = render_pdf(content(i))
        render_png(content(i))
        sizes.append(len(pdf))
        if i == 99:
            rss_at_100 = _rss_kib()
    cpu = time.process_time() - cpu_start
    wall = time.perf_counter() - wall_start
    rss_end = _rss_kib()
    result = {
        "count": count,
        "certificates_per_cpu_second": round(count / cpu, 2),
        "wall_seconds": round(wall, 2),
        "pdf_bytes_max": max(sizes),
        "pdf_bytes_mean": round(sum(sizes) / len(sizes)),
        "rss_kib_after_warmup": rss_start,
        "rss_kib_after_100": rss_at_100,
        "rss_kib_end": rss_end,
    }
    result["within_budget"] = (
        result["certificates_per_cpu_second"] >= BUDGET_PER_SECOND
        and result["pdf_bytes_max"] <= BUDGET_PDF_BYTES
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", default="bench/results/certificates.json")
    args = parser.parse_args()
    result = run(args.count)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
