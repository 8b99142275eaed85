"""Settings of the benchmark's processes: the development settings, run with DEBUG off (bench.env),
plus two folders the benchmark writes under var/bench before it starts a server:

- `templates/`: `wagtailcore/page.html`, the template of a plain Wagtail `Page`, which the
  throughput scenario fills with a static copy of the lesson's HTML, so that the bare Wagtail page
  it compares the lesson with has the lesson's size (issue 18);
- `static-pages/`: static files served by the same server (WhiteNoise), such as the static 10 KB
  page whose throttled first paint the lesson's is compared with.

No plain `Page` is published on a real site (only the benchmark's bare page), so the template
changes nothing else.
"""

from cms.settings.dev import *  # noqa: F403
from cms.settings.dev import TEMPLATES, VAR_DIR

BENCH_TEMPLATES = VAR_DIR / "templates"
BENCH_STATIC = VAR_DIR / "static-pages"
for _folder in (BENCH_TEMPLATES, BENCH_STATIC):
    _folder.mkdir(parents=True, exist_ok=True)
TEMPLATES[0]["DIRS"] = [BENCH_TEMPLATES, *TEMPLATES[0]["DIRS"]]
STATICFILES_DIRS = [BENCH_STATIC]
