"""The weekly trend chart is drawn on the server as SVG."""

import datetime

from campaigns.charts import weekly_trend_svg


def test_weekly_chart_has_one_bar_per_series_and_week():
    rows = [
        {"week": datetime.date(2026, 11, 2) + datetime.timedelta(weeks=n), **counts}
        for n, counts in enumerate(
            [
                {"joined": 5, "active": 3, "completed": 0},
                {"joined": 2, "active": 7, "completed": 1},
            ]
        )
    ]
    svg = str(weekly_trend_svg(rows))
    assert svg.startswith("<svg")
    assert svg.count("<rect") == 2 * 3 + 3  # bars + legend swatches
    assert "2026-11-09" in svg


def test_no_weeks_no_chart():
    assert weekly_trend_svg([]) == ""
