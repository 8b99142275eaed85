"""axe-core accessibility checks for the browser tests (WCAG 2.2 AA, serious and critical only)."""

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
_cache: dict[str, str] = {}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _axe_source() -> str:
    if "js" not in _cache:
        _cache["js"] = AXE_JS.read_text(encoding="utf-8")
    return _cache["js"]


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the current page; return the violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the site's strict CSP (no inline or foreign
        # scripts) stays on while the test injects axe.
        page.evaluate(_axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def assert_no_serious_axe_violations(page) -> None:
    """Fail with a readable list when axe-core finds serious or critical WCAG 2.2 AA problems."""
    violations = axe_violations(page)
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(lines)
