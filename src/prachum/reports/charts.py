"""Small server-rendered charts: no script, no CDN, they print and work offline.

A chart is a dict that reports/_bar_chart.html or reports/_time_chart.html draws; each chart also has
its figures as a table beside it. Bars are HTML boxes sized in per cent, so their labels are page text:
they wrap (Lao too) and keep the page's font size on a phone, where text inside a scaled SVG shrank to
a few pixels and long labels were cut at the chart's edge. Only the time chart's columns and line are
SVG, with no text in it. Geometry is computed per bar (a few dozen), never per registration.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Bar:
    label: str
    value: float
    text: str  # how the value is written after the bar ("12", "75 %")
    language: str = ""
    percent: float = 0  # the bar's length in per cent of the chart's scale


@dataclass
class BarChart:
    id: str
    title: str
    description: str
    bars: list[Bar]

    @property
    def is_empty(self) -> bool:
        return not self.bars or all(bar.value == 0 for bar in self.bars)


def bar_chart(chart_id: str, title: str, description: str, rows: list[tuple], *, maximum: float | None = None) -> BarChart:
    """rows: (label, value, text[, language]). `maximum` fixes the scale (1.0 for rates)."""
    bars = [Bar(label=str(row[0]), value=row[1], text=row[2], language=row[3] if len(row) > 3 else "") for row in rows]
    top = maximum if maximum is not None else max([bar.value for bar in bars] + [1])
    for bar in bars:
        bar.percent = round(100 * min(bar.value / top, 1), 1) if top else 0
    return BarChart(id=chart_id, title=title, description=description, bars=bars)


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
class Tick:
    percent: float  # where the date stands under the axis, in per cent of the chart's width
    label: str
    place: str  # "first", "middle", "last" or "only": how the label aligns, so the ends stay inside


@dataclass
class TimeChart:
    id: str
    title: str
    description: str
    columns: list[Column]
    # The plot's own units: the SVG stretches to the width of the page, its columns with it.
    width: int = 600
    height: int = 160
    plot_top: int = 4
    plot_bottom: int = 160
    column_width: float = 0
    line_points: str = ""
    max_daily: int = 0
    total: int = 0
    axis_labels: list[Tick] = field(default_factory=list)

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
    left, right = 8, chart.width - 8
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
    # At most about eight dates under the axis, first and last always (a phone shows only those two).
    step = -(-len(chart.columns) // 8)
    last = len(chart.columns) - 1
    for index, column in enumerate(chart.columns):
        if index == last or (index % step == 0 and last - index >= step):
            place = "only" if last == 0 else "first" if index == 0 else "last" if index == last else "middle"
            centre = 100 * (column.x + chart.column_width / 2) / chart.width
            chart.axis_labels.append(Tick(percent=round(centre, 1), label=column.label, place=place))
    return chart
