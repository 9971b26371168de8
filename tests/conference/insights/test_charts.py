"""Chart geometry on plain numbers."""

from conference.insights.charts import (
    bin_values,
    heatmap,
    histogram,
    percent_bins,
    share_colour,
    value_bar_chart,
)


def test_bin_values_puts_edges_in_the_upper_bin_and_100_in_the_last():
    counts = bin_values([0, 9.99, 10, 50, 87.5, 100], percent_bins())

    assert counts == [2, 1, 0, 0, 0, 1, 0, 0, 1, 1]


def test_histogram_scales_columns_to_the_largest_count():
    chart = histogram([("a", 1), ("b", 4), ("c", 0)], width=200, height=140, margin=20)

    heights = [column.height for column in chart.columns]
    assert heights == [25.0, 100.0, 0.0]
    assert all(column.y + column.height == chart.plot_bottom for column in chart.columns)


def test_histogram_of_nothing_has_flat_columns():
    chart = histogram([("a", 0), ("b", 0)])

    assert [column.height for column in chart.columns] == [0.0, 0.0]


def test_value_bar_chart_uses_a_fixed_scale():
    chart = value_bar_chart([("Talk", 2.5, "2.50 from 4")], scale_max=5, width=700, label_width=300)

    assert chart.bars[0].width == (700 - 300 - 120) / 2


def test_share_colour_runs_from_pale_to_deep_blue_and_grey_for_no_data():
    assert share_colour(0.0) == "#eff3ff"
    assert share_colour(1.0) == "#08519c"
    assert share_colour(None) == "#eeeeee"


def test_heatmap_cells_read_as_percentages_with_readable_text():
    chart = heatmap(["London"], ["Fri", "Sat"], [[0.8, None]])

    assert [cell.text for cell in chart.cells] == ["80%", "–"]
    assert chart.cells[0].text_fill == "#ffffff"
    assert chart.cells[1].description == "London, Sat: no talks"
