"""Charts keep long unit names readable (wrapped, or cut with the full name in the tooltip),
carry a colour legend and write their numbers per locale."""

import re

from hygiene.reports import charts

LONG = "Trung tâm Văn hóa, Thể thao và Truyền thanh"
LONGER = "Ban Quản lý dự án đầu tư xây dựng và phát triển quỹ đất khu vực huyện"


def _label_lines(svg: str) -> list[list[str]]:
    texts = re.findall(r'<text text-anchor="end"[^>]*>(.*?)</text>', svg)
    return [re.findall(r"<tspan[^>]*>(.*?)</tspan>", text) for text in texts]


def test_a_long_unit_name_wraps_onto_two_whole_lines() -> None:
    lines = charts.wrap_label(LONG)

    assert lines == ["Trung tâm Văn hóa, Thể thao", "và Truyền thanh"]
    assert " ".join(lines) == LONG


def test_a_name_too_long_for_two_lines_is_cut_with_an_ellipsis() -> None:
    lines = charts.wrap_label(LONGER)

    assert len(lines) == 2
    assert all(len(line) <= charts.LABEL_CHARS for line in lines)
    assert lines[-1].endswith("…")


def test_each_bar_has_its_full_name_and_figure_as_a_tooltip() -> None:
    svg = str(charts.bars([(LONGER, 61.14), (LONG, None)], title="Tỷ lệ", locale="vi"))

    assert f"<title>{LONGER}: 61,1\u00a0%</title>" in svg
    assert f"<title>{LONG}: —</title>" in svg
    assert _label_lines(svg)[1] == ["Trung tâm Văn hóa, Thể thao", "và Truyền thanh"]


def test_bars_have_a_colour_legend_in_the_readers_language() -> None:
    vi = str(charts.bars([("Xã A", 95.0)], title="t", locale="vi"))
    en = str(charts.bars([("Xã A", 95.0)], title="t", locale="en"))

    legend_vi = ("Từ 90\u00a0% trở lên", "Từ 70\u00a0% đến dưới 90\u00a0%", "Dưới 70\u00a0%")
    for text in (*legend_vi, "Chưa có số liệu"):
        assert text in vi
    for text in ("90% or more", "70% to under 90%", "Under 70%", "No figure"):
        assert text in en
    for colour in (charts.GOOD, charts.FAIR, charts.POOR, charts.EMPTY):
        assert f'fill="{colour}" stroke' in vi


def test_the_trend_has_a_legend_and_the_points_details_in_tooltips() -> None:
    svg = str(
        charts.line(
            [("Tuần 9", None), ("Tuần 10", 61.14)],
            title="t",
            locale="vi",
            details=["Tuần 9 (23/02–01/03/2026)", "Tuần 10 (02/03–08/03/2026)"],
        )
    )

    assert ">Tuần 9</text>" in svg
    assert "<title>Tuần 10 (02/03–08/03/2026): 61,1\u00a0%</title>" in svg
    assert "Dưới 70\u00a0%" in svg
