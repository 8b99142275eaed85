"""Page weight by resource type and first-response size at 360×740, and every learner page under
throttling (400 ms round trip, 50,000 B/s, 4× CPU slowdown): first contentful paint, load and
cumulative layout shift, beside a static 10 KB page measured in the same run (issue 18).

Chromium (Debian's, through Playwright) loads each page from gunicorn with a signed-in learner;
compressed sizes are each response body gzipped at level 6, what a compressing proxy (or
WhiteNoise's precompressed files) would send, since the benchmark server itself does not compress.
Media files are answered from MEDIA_ROOT by the browser context (production serves them from a
CDN), and are reported but left out of the "everything but media" figure, as the budget says.

Layout shift is Lighthouse's CLS: the layout-shift entries without recent input, grouped in
session windows (a gap under 1 s, at most 5 s long), the largest window's sum; observed from the
document's start (an init script) until a second after the load event, the worst of the runs.
The static page is plain HTML of 10 KB (no CSS, no script) served by the same gunicorn
(WhiteNoise, `bench.settings`), so the lesson's FCP is compared with what the network alone costs.
"""

import gzip
import statistics
from pathlib import Path
from urllib.parse import urlparse

from . import INFO, MET, MISSED, NOT_MEASURED, line_add, not_measured, result_new, verdict

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
KINDS = {
    "document": "html",
    "stylesheet": "css",
    "script": "js",
    "image": "images",
    "font": "fonts",
    "media": "media",
}
FIRST_RESPONSE_KB, PAGE_KB, JS_KB = 14, 40, 15
THROTTLE = {"latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
THROTTLED_RUNS = 3
# The lesson and the static page: more runs, in turn, since their FCPs are compared within 10 %.
PAIRED_RUNS = 7
CLS_BUDGET = 0.01
FCP_FACTOR = 1.1
STATIC_PAGE = "bench/static-10k.html"
STATIC_BYTES = 10 * 1024
# Collects layout shifts from the document's start (buffered), for Lighthouse's CLS.
SHIFTS_SCRIPT = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__shifts.push({value: entry.value, at: entry.startTime,
      sources: (entry.sources || []).map((s) => s.node && s.node.nodeType === 1
        ? s.node.tagName.toLowerCase() + (s.node.className ? '.' + String(s.node.className)
          .trim().split(/\\s+/).join('.') : '') : '#text')});
  }
}).observe({type: 'layout-shift', buffered: true});
"""


def chromium_path() -> str | None:
    """Debian's Chromium, or None when it is not installed."""
    import os
    import shutil

    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or CHROMIUM
    return path if Path(path).exists() else None


def gzip_size(body: bytes) -> int:
    """Bytes of `body` gzipped at level 6 (a typical proxy setting)."""
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def weigh(responses: list[dict]) -> dict:
    """Sum raw and gzipped bytes per resource kind; `media_free` leaves out images and media."""
    totals: dict[str, dict] = {}
    for item in responses:
        kind = KINDS.get(item["type"], "other")
        bucket = totals.setdefault(kind, {"count": 0, "raw": 0, "gzip": 0})
        bucket["count"] += 1
        bucket["raw"] += item["raw"]
        bucket["gzip"] += item["gzip"]
    media_free = sum(v["gzip"] for k, v in totals.items() if k not in ("images", "media"))
    return {"by_kind": totals, "media_free_gzip": media_free}


def _context(browser, base: str, cookies: dict, media_root: Path, **options):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        service_workers="block",
        **options,
    )
    context.add_init_script(SHIFTS_SCRIPT)
    host = urlparse(base).hostname
    context.add_cookies(
        [{"name": k, "value": v, "domain": host, "path": "/"} for k, v in cookies.items()]
    )

    def media(route):
        path = media_root / urlparse(route.request.url).path.removeprefix("/media/")
        if path.is_file():
            route.fulfill(path=str(path))
        else:
            route.fulfill(status=404, body="")

    context.route(f"{base}/media/**", media)
    return context


def load(browser, base: str, path: str, cookies: dict, media_root: Path) -> dict:
    """Load one page; every response's type, status and raw/gzipped sizes, and DOM facts."""
    context = _context(browser, base, cookies, media_root)
    page = context.new_page()
    responses = []

    def record(response):
        try:
            body = response.body()
        except Exception:
            body = b""
        responses.append(
            {
                "url": response.url,
                "type": response.request.resource_type,
                "status": response.status,
                "raw": len(body),
                "gzip": gzip_size(body) if body else 0,
            }
        )

    page.on("response", record)
    main = page.goto(base + path, wait_until="load", timeout=120_000)
    page.wait_for_timeout(1000)
    facts = page.evaluate(
        """() => {
        const fold = window.innerHeight;
        const imgs = [...document.images].map(img => {
            const rect = img.getBoundingClientRect();
            const sources = img.closest('picture')
                ? [...img.closest('picture').querySelectorAll('source')].map(s => s.type) : [];
            return {src: img.currentSrc, width: img.naturalWidth, below: rect.top > fold,
                    lazy: img.loading === 'lazy', sources};
        });
        const blocking = [...document.querySelectorAll('script[src]')]
            .filter(s => !s.defer && !s.async && s.type !== 'module').map(s => s.src);
        return {imgs, blocking, text: document.body.innerText.length,
                shifts: window.__shifts || []};
    }"""
    )
    context.close()
    document = next((r for r in responses if r["type"] == "document"), None)
    return {
        "status": main.status if main else None,
        "responses": responses,
        "first_response": document,
        "weights": weigh(responses),
        **facts,
    }


def readable_without_js(browser, base: str, path: str, cookies: dict, media_root: Path) -> int:
    """Characters of visible text on the page with JavaScript off."""
    context = _context(browser, base, cookies, media_root, java_script_enabled=False)
    page = context.new_page()
    page.goto(base + path, wait_until="load", timeout=120_000)
    text = len(page.inner_text("body"))
    context.close()
    return text


def static_page(folder: Path) -> str:
    """Write the static 10 KB page (plain HTML of Chinese prose, no CSS or script) into the
    benchmark's static folder; returns its path under STATIC_URL."""
    import random

    words = (
        "手机 微信 支付 安全 村里 农产品 网上 销售 学习 课程 老师 照片 声音 字体 设置 密码".split()
    )
    rng = random.Random(10)
    head = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    head += (
        '<meta name="viewport" content="width=device-width"><title>静态页面</title></head><body>'
    )
    body, tail = [], "</body></html>"
    size = len((head + tail).encode())
    while size < STATIC_BYTES - 200:
        sentence = "<p>" + "，".join(" ".join(rng.sample(words, 4)) for _ in range(3)) + "。</p>"
        body.append(sentence)
        size += len(sentence.encode())
    html = (head + "".join(body) + tail).encode()
    html += b"<!--" + b"-" * max(0, STATIC_BYTES - len(html) - 7) + b"-->"
    target = folder / STATIC_PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(html)
    return f"/static/{STATIC_PAGE}"


def cls_of(shifts: list[dict]) -> float:
    """Lighthouse's CLS of layout-shift entries: the largest session window's sum."""
    best = current = 0.0
    start = last = None
    for shift in sorted(shifts, key=lambda s: s["at"]):
        if start is None or shift["at"] - last >= 1000 or shift["at"] - start >= 5000:
            start, current = shift["at"], 0.0
        current += shift["value"]
        last = shift["at"]
        best = max(best, current)
    return best


def throttled_load(browser, base: str, path: str, cookies: dict, media_root: Path) -> dict:
    """One cold load under 400 ms RTT / 50,000 B/s / 4× CPU: FCP, load event, bytes, shifts."""
    context = _context(browser, base, cookies, media_root)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **THROTTLE})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    main = page.goto(base + path, wait_until="load", timeout=300_000)
    page.wait_for_timeout(1000)
    run = page.evaluate(
        """() => {
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        const nav = performance.getEntriesByType('navigation')[0];
        return {fcp: paint ? paint.startTime : null, load: nav.loadEventEnd,
                bytes: nav.transferSize, shifts: window.__shifts || [], url: location.href};
    }"""
    )
    run["status"] = main.status if main else None
    run["cls"] = round(cls_of(run["shifts"]), 4)
    context.close()
    return run


def summarise(runs: list[dict]) -> dict:
    """Median FCP and load event of throttled runs, the worst run's CLS and what shifted."""
    fcps = [r["fcp"] for r in runs if r["fcp"] is not None]
    worst = max(runs, key=lambda r: r["cls"])
    return {
        "runs": runs,
        "fcp_ms": statistics.median(fcps) if fcps else None,
        "load_ms": statistics.median(r["load"] for r in runs),
        "cls": worst["cls"],
        "shifted": sorted({source for s in worst["shifts"] for source in s["sources"]}),
        "status": runs[-1]["status"],
        "url": runs[-1]["url"],
    }


def throttled(browser, base: str, path: str, cookies: dict, media_root: Path) -> dict:
    """`summarise` of THROTTLED_RUNS cold loads of one page."""
    return summarise(
        [throttled_load(browser, base, path, cookies, media_root) for _ in range(THROTTLED_RUNS)]
    )


def paired(browser, base: str, site, media_root: Path) -> tuple[dict, dict]:
    """The lesson and the static page loaded in turn, PAIRED_RUNS each, the order alternating
    (static first, then lesson first…), so drift in the shared machine's load falls on both."""
    lesson, static = [], []
    for index in range(PAIRED_RUNS):
        order = [("static", site.static, {}), ("lesson", site.pages["lesson"], site.cookies)]
        for name, path, cookies in order if index % 2 == 0 else reversed(order):
            run = throttled_load(browser, base, path, cookies, media_root)
            (lesson if name == "lesson" else static).append(run)
    return summarise(lesson), summarise(static)


def _images_line(result: dict, lesson: dict) -> None:
    imgs = lesson["imgs"]
    if not imgs:
        line_add(
            result,
            "lesson images",
            "AVIF/WebP, 360–720 px, lazy below fold",
            0,
            "images",
            MET,
            "the lesson has no images",
        )
        return
    modern = [
        i
        for i in imgs
        if i["src"].split("?")[0].lower().endswith((".avif", ".webp"))
        or any(t in ("image/avif", "image/webp") for t in i["sources"])
    ]
    sized = [i for i in imgs if 0 < i["width"] <= 720 * 2]
    eager_below = [i for i in imgs if i["below"] and not i["lazy"]]
    ok = len(modern) == len(imgs) and len(sized) == len(imgs) and not eager_below
    widths = sorted({i["width"] for i in imgs})
    line_add(
        result,
        "lesson images",
        "AVIF/WebP renditions, 360–720 px, lazy below the fold",
        len(imgs),
        "images",
        MET if ok else MISSED,
        f"{len(modern)} AVIF/WebP, natural widths {widths}, "
        f"{len(eager_below)} eager below the fold",
    )


def _fcps(figures: dict) -> list[int]:
    return sorted(round(r["fcp"]) for r in figures["runs"] if r["fcp"] is not None)


def _throttled_lines(
    result: dict, browser, base: str, site, media_root: Path, loaded: dict
) -> None:
    """Every page: CLS (≤ 0.01 each; the worst of the unthrottled load and the throttled ones,
    since Lighthouse watches an unthrottled load) and throttled FCP; the lesson's FCP ≤ the
    static page's × 1.1, the two loaded in turn (`paired`)."""
    static = site.static
    unthrottled = {name: cls_of(page.get("shifts", [])) for name, page in loaded.items()}
    static_load = load(browser, base, static, {}, media_root)
    unthrottled["static"] = cls_of(static_load["shifts"])
    slow = {}
    for name, path in site.pages.items():
        if name == "lesson":
            slow["lesson"], slow["static 10 KB page"] = paired(browser, base, site, media_root)
        else:
            slow[name] = throttled(browser, base, path, site.cookies, media_root)
    result["details"]["throttled"] = slow
    static_fcp = slow["static 10 KB page"]["fcp_ms"] if "static 10 KB page" in slow else None
    for name, figures in slow.items():
        path = site.pages.get(name, static)
        moved = ", ".join(figures["shifted"]) or "nothing"
        plain = unthrottled.get("static" if name.startswith("static") else name, 0.0)
        worst = round(max(figures["cls"], plain), 4)
        reference = name.startswith("static")
        line_add(
            result,
            f"{name} {path}: layout shift (CLS)",
            "(reference page)" if reference else f"≤ {CLS_BUDGET} (issue 18)",
            f"{worst:.3f}",  # three decimals: two would round 0.005 up to the budget
            "",
            INFO if reference else verdict(worst, CLS_BUDGET),
            f"worst of an unthrottled load ({plain:.4f}) and {len(figures['runs'])} throttled loads"
            f" ({figures['cls']:.4f}), each until 1 s after load; what moved when throttled: "
            f"{moved}; HTTP {figures['status']}, ended at {urlparse(figures['url']).path}",
        )
        fcp = round(figures["fcp_ms"]) if figures["fcp_ms"] else None
        if name == "lesson":
            budget = round(static_fcp * FCP_FACTOR) if static_fcp else None
            line_add(
                result,
                "lesson throttled: first contentful paint",
                f"≤ static 10 KB page's FCP × {FCP_FACTOR} (issue 18)",
                fcp,
                "ms",
                verdict(fcp, budget) if budget else NOT_MEASURED,
                f"median of {PAIRED_RUNS} cold loads each, in turn with the static page; 400 ms "
                f"RTT, 50,000 B/s, 4× CPU; static page {round(static_fcp or 0)} ms, so at most "
                f"{budget} ms; lesson runs {_fcps(figures)}, static "
                f"{_fcps(slow['static 10 KB page'])}; "
                f"lesson load event {round(figures['load_ms'])} ms, "
                f"{figures['runs'][-1]['bytes']:,} B document",
            )
        else:
            line_add(
                result,
                f"{name} throttled: first contentful paint",
                "(no figure)",
                fcp,
                "ms",
                INFO,
                f"median of {len(figures['runs'])} cold loads; 400 ms RTT, 50,000 B/s, 4× CPU; "
                f"load event {round(figures['load_ms'])} ms",
            )


def run(base: str, site, media_root: Path, throttle: bool = True) -> dict:
    """Weigh every page of `site`, then check the lesson page's budgets."""
    result = result_new("pages", "Page weight at 360×740 (Chromium) and the throttled lesson")
    chromium = chromium_path()
    if chromium is None:
        not_measured(result, "page weight", "lesson ≤ 14 KB / 40 KB", "chromium missing")
        return result
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        not_measured(result, "page weight", "lesson ≤ 14 KB / 40 KB", "playwright missing")
        return result
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        pages = {}
        for name, path in site.pages.items():
            pages[name] = load(browser, base, path, site.cookies, media_root)
            first = pages[name]["first_response"] or {"gzip": 0, "raw": 0}
            weights = pages[name]["weights"]
            line_add(
                result,
                f"{name} {path}: first response",
                f"≤ {FIRST_RESPONSE_KB} KB" if name == "lesson" else "(lesson only)",
                round(first["gzip"] / 1024, 1),
                "KB gz",
                verdict(first["gzip"] / 1024, FIRST_RESPONSE_KB) if name == "lesson" else INFO,
                f"HTTP {pages[name]['status']}, {first['raw'] / 1024:.1f} KB raw; all but media "
                f"{weights['media_free_gzip'] / 1024:.1f} KB gz; "
                + ", ".join(
                    f"{k} {v['gzip'] / 1024:.1f} KB ({v['count']})"
                    for k, v in sorted(weights["by_kind"].items())
                ),
            )
        for name, reason in site.missing.items():
            if name in ("home", "catalog", "course", "lesson", "me", "verify"):
                not_measured(result, f"{name} page weight", "", reason)
        lesson = pages.get("lesson")
        if lesson:
            weights = lesson["weights"]
            by_kind = weights["by_kind"]
            js = by_kind.get("js", {"gzip": 0})["gzip"] / 1024
            line_add(
                result,
                "lesson: everything but media",
                f"≤ {PAGE_KB} KB",
                round(weights["media_free_gzip"] / 1024, 1),
                "KB gz",
                verdict(weights["media_free_gzip"] / 1024, PAGE_KB),
            )
            line_add(
                result,
                "lesson: JavaScript",
                f"≤ {JS_KB} KB, deferred",
                round(js, 1),
                "KB gz",
                MET if js <= JS_KB and not lesson["blocking"] else MISSED,
                f"render-blocking scripts: {lesson['blocking'] or 'none'}",
            )
            fonts = by_kind.get("fonts", {"count": 0})["count"]
            line_add(
                result, "lesson: web fonts", "none", fonts, "fonts", MET if fonts == 0 else MISSED
            )
            text = readable_without_js(
                browser, base, site.pages["lesson"], site.cookies, media_root
            )
            line_add(
                result,
                "lesson: readable with JS off",
                "readable",
                text,
                "chars of text",
                MET if text >= 200 else MISSED,
                "visible text with JavaScript disabled",
            )
            _images_line(result, lesson)
        else:
            for what in ("lesson: everything but media", "lesson: JavaScript", "lesson throttled"):
                not_measured(result, what, "", site.missing.get("lesson", "no lesson page"))
        if throttle:
            _throttled_lines(result, browser, base, site, media_root, pages)
        browser.close()
    result["details"]["pages"] = {
        name: {k: v for k, v in page.items() if k != "responses"} | {"responses": page["responses"]}
        for name, page in pages.items()
    }
    return result
