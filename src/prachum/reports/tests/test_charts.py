"""The charts' geometry: bars in per cent of their scale, and the dates under the time chart."""

from prachum.reports.charts import bar_chart, time_chart


def test_bars_are_sized_in_per_cent_of_the_largest_or_of_a_fixed_scale():
    chart = bar_chart("c", "T", "D", [("ຍິງ", 3, "3", "lo"), ("Male", 6, "6"), ("None", 0, "0")])
    assert [bar.percent for bar in chart.bars] == [50.0, 100.0, 0]
    assert chart.bars[0].language == "lo" and not chart.is_empty
    rates = bar_chart("r", "T", "D", [("Opening", 0.75, "75 %"), ("Closing", 1.2, "120 %")], maximum=1.0)
    assert [bar.percent for bar in rates.bars] == [75.0, 100.0]  # over 100 % stays inside its track
    assert bar_chart("e", "T", "D", [("A", 0, "0")]).is_empty


def test_the_time_chart_names_at_most_eight_days_with_the_first_and_the_last_at_the_ends():
    days = [(f"{day:02}/09/2020", day % 3) for day in range(1, 31)]
    chart = time_chart("t", "T", "D", days)
    ticks = chart.axis_labels
    assert 2 <= len(ticks) <= 8
    assert (ticks[0].label, ticks[0].place) == ("01/09/2020", "first")
    assert (ticks[-1].label, ticks[-1].place) == ("30/09/2020", "last")
    assert {tick.place for tick in ticks[1:-1]} == {"middle"}
    assert all(0 < tick.percent < 100 for tick in ticks)
    assert chart.total == sum(value for _, value in days)
    assert all(0 <= column.x and column.x + chart.column_width <= chart.width for column in chart.columns)

    one = time_chart("t", "T", "D", [("10/09/2020", 4)]).axis_labels
    assert [(tick.place, tick.percent) for tick in one] == [("only", 50.0)]
