"""Small server-rendered SVG charts: no script, no CDN, they print and work offline.

A chart is a dict that reports/_bar_chart.html or reports/_time_chart.html draws; each chart also has
its figures as a table beside it (screen readers and print read the table, the SVG has <title>/<desc>).
Labels are plain text in the SVG: the browser shapes Lao with the page's Noto Sans Lao.
Geometry is computed per bar (a few dozen), never per registration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 210
PLOT_WIDTH = 320
VALUE_WIDTH = 70


@dataclass
class Bar:
    label: str
    value: float
    text: str  # how the value is written at the end of the bar ("12", "75 %")
    language: str = ""
    y: float = 0
    width: float = 0
    text_x: float = 0
    text_y: float = 0


@dataclass
class BarChart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    width: int = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    height: int = 0
    label_width: int = LABEL_WIDTH
    value_x: float = 0

    @property
    def is_empty(self) -> bool:
        return not self.bars or all(bar.value == 0 for bar in self.bars)


def bar_chart(chart_id: str, title: str, description: str, rows: list[tuple], *, maximum: float | None = None) -> BarChart:
    """rows: (label, value, text[, language]). `maximum` fixes the scale (1.0 for rates)."""
    bars = [Bar(label=str(row[0]), value=row[1], text=row[2], language=row[3] if len(row) > 3 else "") for row in rows]
    top = maximum if maximum is not None else max([bar.value for bar in bars] + [1])
    for index, bar in enumerate(bars):
        bar.y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        bar.width = round(PLOT_WIDTH * (bar.value / top), 1) if top else 0
        bar.text_y = bar.y + BAR_HEIGHT * 0.7
    chart = BarChart(id=chart_id, title=title, description=description, bars=bars)
    chart.height = BAR_GAP + len(bars) * (BAR_HEIGHT + BAR_GAP)
    for bar in bars:
        bar.text_x = LABEL_WIDTH + bar.width + 6
    return chart


@dataclass
class Column:
    label: str
    value: int
    cumulative: int
    x: float = 0
    y: float = 0
    height: float = 0
    line_y: float = 0


@dataclass
class TimeChart:
    id: str
    title: str
    description: str
    columns: list[Column]
    width: int = 600
    height: int = 220
    plot_top: int = 16
    plot_bottom: int = 180
    column_width: float = 0
    line_points: str = ""
    max_daily: int = 0
    total: int = 0
    axis_labels: list[tuple[float, str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.columns


def time_chart(chart_id: str, title: str, description: str, days: list[tuple[str, int]]) -> TimeChart:
    """Registrations per day (columns) and their running total (a line on its own scale)."""
    chart = TimeChart(id=chart_id, title=title, description=description, columns=[])
    if not days:
        return chart
    running = 0
    for label, value in days:
        running += value
        chart.columns.append(Column(label=label, value=value, cumulative=running))
    chart.total = running
    chart.max_daily = max(column.value for column in chart.columns) or 1
    plot_height = chart.plot_bottom - chart.plot_top
    left, right = 40, chart.width - 40
    slot = (right - left) / len(chart.columns)
    chart.column_width = max(1.0, round(min(slot * 0.7, 36), 1))  # one day alone is a column, not a wall
    points = []
    for index, column in enumerate(chart.columns):
        column.x = round(left + index * slot + (slot - chart.column_width) / 2, 1)
        column.height = round(plot_height * column.value / chart.max_daily, 1)
        column.y = round(chart.plot_bottom - column.height, 1)
        column.line_y = round(chart.plot_bottom - plot_height * column.cumulative / (chart.total or 1), 1)
        points.append(f"{round(column.x + chart.column_width / 2, 1)},{column.line_y}")
    chart.line_points = " ".join(points)
    # At most about eight dates under the axis, first and last always.
    step = max(1, len(chart.columns) // 7)
    for index, column in enumerate(chart.columns):
        if index % step == 0 or index == len(chart.columns) - 1:
            chart.axis_labels.append((round(column.x + chart.column_width / 2, 1), column.label))
    return chart
