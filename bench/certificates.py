"""Certificate rendering: PDFs per CPU-second, PDF size, embedded subset font, peak memory.

Renders run in a fresh process (`python -m bench.certificates <count>`) with the functions the
Celery worker calls (`learners.certificates.render`), no database, names with rare CJK characters.
"""

import io
import json
import sys
import time
from datetime import date
from decimal import Decimal

from . import MET, MISSED, env, line_add, not_measured, result_new, verdict

NAMES = ["𠮷野 家明", "王堃", "李昇", "赵玥", "䶮", "欧阳娜娜", "张三", "买买提·艾力"]
BUDGET_PER_CORE = 4
BUDGET_PDF_KB = 150


def run(count: int) -> dict:
    """Render `count` certificates in a child process and judge the figures."""
    result = result_new("certificates", f"Certificate rendering ({count} renders)")
    try:
        measured = json.loads(env.child("certificates", str(count)).splitlines()[-1])
    except (RuntimeError, ValueError) as exc:
        reason = f"certificate rendering missing or failing: {str(exc)[-300:]}"
        for what in ("PDFs per second per core", "PDF size"):
            not_measured(result, what, "", reason)
        return result
    rate = measured["pdf_per_cpu_second"]
    line_add(
        result,
        "PDFs per second per core",
        f"≥ {BUDGET_PER_CORE}/s per core",
        rate,
        "PDF/s",
        verdict(rate, BUDGET_PER_CORE, at_most=False),
        f"{count} PDFs in {measured['pdf_cpu_s']:.1f} CPU-s ({measured['pdf_wall_s']:.1f} s wall)",
    )
    size_kb = measured["pdf_bytes_max"] / 1024
    line_add(
        result,
        "largest PDF",
        f"≤ {BUDGET_PDF_KB} KB",
        round(size_kb, 1),
        "KB",
        verdict(size_kb, BUDGET_PDF_KB),
        f"mean {measured['pdf_bytes_mean'] / 1024:.1f} KB",
    )
    line_add(
        result,
        "CJK font embedded and subset",
        "embedded, subset CJK font",
        ", ".join(measured["fonts"]) or "none",
        "",
        MET if measured["fonts"] and measured["fonts_subset_embedded"] else MISSED,
    )
    line_add(
        result,
        "peak RSS over the renders",
        "(flat; no figure in docs/design.md)",
        measured["peak_rss_mb"],
        "MB",
        "no budget",
        f"RSS after warm-up {measured['rss_after_warmup_mb']} MB, "
        f"at end {measured['rss_end_mb']} MB; PNG {measured['png_per_cpu_second']}/s per core",
    )
    result["details"] = measured
    return result


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _fonts(pdf: bytes) -> tuple[list[str], bool]:
    from pypdf import PdfReader

    names, embedded = [], True
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            for desc in [font, *(f.get_object() for f in font.get("/DescendantFonts", []))]:
                if "/FontDescriptor" in desc:
                    name = str(desc["/BaseFont"]).lstrip("/")
                    names.append(name)
                    descriptor = desc["/FontDescriptor"].get_object()
                    has_file = any(
                        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                    )
                    # A subset font's name starts with six capitals and a plus (ISO 32000 9.6.4).
                    embedded &= has_file and len(name) > 7 and name[6] == "+"
    return sorted(set(names)), embedded and bool(names)


def child(count: int) -> dict:
    """Render `count` PDFs, then a sample of PNGs, in this process and measure them."""
    env.setup()
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

    # Warm-up: fonts are loaded and registered once per worker process.
    first = render_pdf(content(0))
    render_png(content(0))
    rss_warm = _rss_mb()
    sizes = []
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        sizes.append(len(render_pdf(content(i))))
    pdf_cpu, pdf_wall = time.process_time() - cpu, time.perf_counter() - wall
    # PNGs have no budget: a sample is enough for their rate.
    png_count = min(count, 20)
    cpu = time.process_time()
    for i in range(png_count):
        render_png(content(i))
    png_cpu = time.process_time() - cpu
    fonts, subset = _fonts(first)
    return {
        "count": count,
        "pdf_per_cpu_second": round(count / pdf_cpu, 2),
        "pdf_cpu_s": round(pdf_cpu, 2),
        "pdf_wall_s": round(pdf_wall, 2),
        "png_per_cpu_second": round(png_count / png_cpu, 2),
        "png_count": png_count,
        "pdf_bytes_max": max(sizes),
        "pdf_bytes_mean": round(sum(sizes) / len(sizes)),
        "fonts": fonts,
        "fonts_subset_embedded": subset,
        "rss_after_warmup_mb": rss_warm,
        "rss_end_mb": _rss_mb(),
        "peak_rss_mb": round(env.rss_peak_kib() / 1024, 1),
    }


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]))))
