"""Charts drawn on the server as small inline SVG (no JavaScript, readable at tablet width)."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 40, 28, 20
SERIES = (
    ("joined", "#1f77b4"),
    ("active", "#2a9d55"),
    ("completed", "#d1495b"),
)


def _n(value: float) -> str:
    # format_html escapes its arguments to strings first, so numbers are formatted here.
    return f"{value:.1f}"


def weekly_trend_svg(rows: list[dict]) -> str:
    """Grouped bars per week for joined / active / completed learners, with a legend."""
    labels = {"joined": _("Joined"), "active": _("Active"), "completed": _("Completed")}
    if not rows:
        return ""
    top = max(max(r[name] for name, _colour in SERIES) for r in rows) or 1
    plot_w = WIDTH - PAD_LEFT - 8
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / len(rows)
    bar = max(1.0, slot / (len(SERIES) + 1))
    parts = []
    for index, row in enumerate(rows):
        x0 = PAD_LEFT + index * slot + bar / 2
        for offset, (name, colour) in enumerate(SERIES):
            value = row[name]
            height = plot_h * value / top
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{} {}: {}</title></rect>",
                    _n(x0 + offset * bar),
                    _n(PAD_TOP + plot_h - height),
                    _n(bar),
                    _n(height),
                    colour,
                    row["week"].isoformat(),
                    labels[name],
                    value,
                )
            )
        if len(rows) <= 12 or index % max(1, len(rows) // 12) == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                    _n(PAD_LEFT + index * slot + slot / 2),
                    HEIGHT - 10,
                    row["week"].strftime("%m-%d"),
                )
            )
    axis = format_html(
        '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#555"/>'
        '<line x1="{0}" y1="{2}" x2="{3}" y2="{2}" stroke="#555"/>'
        '<text x="{4}" y="{5}" font-size="10" text-anchor="end">{6}</text>'
        '<text x="{4}" y="{2}" font-size="10" text-anchor="end">0</text>',
        PAD_LEFT,
        PAD_TOP,
        PAD_TOP + plot_h,
        WIDTH - 8,
        PAD_LEFT - 4,
        PAD_TOP + 10,
        top,
    )
    legend = format_html_join(
        "",
        '<rect x="{}" y="0" width="10" height="10" fill="{}"/>'
        '<text x="{}" y="9" font-size="10">{}</text>',
        (
            (PAD_LEFT + i * 110, colour, PAD_LEFT + i * 110 + 14, labels[name])
            for i, (name, colour) in enumerate(SERIES)
        ),
    )
    return format_html(
        '<svg class="campaign-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'width="100%" preserveAspectRatio="xMinYMin meet">{}{}{}</svg>',
        WIDTH,
        HEIGHT + 14,
        _("Learners per week: joined, active and completed"),
        legend,
        axis,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
