"""core.excel: an export's memory does not grow with its rows, and every text cell is made inert."""

import datetime
import io
import tracemalloc
from collections.abc import Iterator

from openpyxl import load_workbook

from core.excel import Sheet, table, write_xlsx


def person_like_rows(count: int) -> Iterator[list]:
    for n in range(count):
        yield [f"姓名{n}", "310106********123X", "女", 40 + n % 50, "肢体", "二级", "江宁路街道", f"江宁路{n}号101室"]


def peak_bytes(count: int) -> int:
    tracemalloc.start()
    try:
        with write_xlsx([Sheet("persons", ["header"] * 8, person_like_rows(count))]):
            return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_memory_of_an_export_does_not_grow_with_its_rows():
    peak_2k, peak_8k = peak_bytes(2_000), peak_bytes(8_000)

    # A workbook built in memory (a BytesIO, as before) peaks at 1.6 times as much for four times the rows.
    assert peak_8k < 1.25 * peak_2k, (peak_2k, peak_8k)


def test_rows_are_written_lazily_with_progress_and_text_made_inert():
    seen = []
    records = [{"name": "=HYPERLINK(1)", "born": datetime.date(2000, 1, 2), "n": 3}] * 5
    columns = [("name", lambda r: r["name"]), ("born", lambda r: r["born"]), ("n", lambda r: r["n"])]

    with write_xlsx([table("t", columns, iter(records))], progress=seen.append, every=2) as file:
        rows = list(load_workbook(io.BytesIO(file.read())).active.iter_rows(values_only=True))

    assert seen == [2, 4, 5]
    assert rows[0] == ("name", "born", "n")
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][1].date() == datetime.date(2000, 1, 2)  # openpyxl reads a date cell back as a datetime
    assert rows[1][2] == 3


def test_control_characters_a_workbook_cannot_hold_are_dropped_not_quoted_in_an_error():
    columns = [("name", lambda r: r), ("n", lambda r: 1)]

    with write_xlsx([table("t", columns, iter(["张\x0b三", "李\x00四", "=\x01SUM(A1)"]))]) as file:
        rows = list(load_workbook(io.BytesIO(file.read())).active.iter_rows(values_only=True))

    assert [r[0] for r in rows[1:]] == ["张三", "李四", "'=SUM(A1)"]


def read_back(file) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(file.read()))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_a_sheet_without_rows_keeps_its_header_and_titles_excel_refuses_are_cleaned():
    with write_xlsx([Sheet("2023[年]/报表", ["姓名", "年龄"], iter([])), Sheet("2023[年]/报表", ["n"], [[1]])]) as file:
        sheets = read_back(file)

    assert list(sheets) == ["2023年报表", "2023年报表1"]
    assert sheets["2023年报表"][0] == ("姓名", "年龄")
    assert sheets["2023年报表1"] == [("n",), (1,)]


def test_dates_show_as_dates_moments_in_local_time_and_overlong_text_is_cut_to_what_excel_holds():
    at = datetime.datetime(2024, 2, 29, 0, 30, tzinfo=datetime.UTC)  # 08:30 in Shanghai
    row = [datetime.date(2024, 2, 29), at, "长" * 40_000, None, True]

    with write_xlsx([Sheet("t", ["day", "at", "text", "none", "yes"], [row])]) as file:
        book = load_workbook(io.BytesIO(file.read()))
    cells = next(iter(book.active.iter_rows(min_row=2)))

    assert cells[0].value.date() == datetime.date(2024, 2, 29)
    assert cells[0].number_format == "yyyy-mm-dd"
    assert cells[1].value.isoformat() == "2024-02-29T08:30:00"
    assert "h:mm" in cells[1].number_format
    assert len(cells[2].value) == 32_767
    assert cells[3].value is None
    assert cells[4].value is True


def test_a_repeated_header_is_numbered_rather_than_losing_its_column():
    with write_xlsx([Sheet("t", ["名称", "名称"], [["甲", "乙"]])]) as file:
        assert read_back(file)["t"] == [("名称", "名称 (2)"), ("甲", "乙")]


def test_each_sheet_keeps_its_own_header_past_the_rows_its_formats_are_judged_on():
    """The writer reads every sheet's rows when the workbook is saved: a sheet before the last one, longer
    than the rows read ahead, kept only the last sheet's header for the rest and lost its cells."""
    streets = Sheet("按街道", ["指标", "街道", "分项", "数值"], ([f"指标{n}", f"S{n:02}", "甲", n] for n in range(210)))
    about = Sheet("说明", ["项目", "说明"], [["年份", "2023"]])

    with write_xlsx([streets, about]) as file:
        sheets = read_back(file)

    assert len(sheets["按街道"]) == 211
    assert sheets["按街道"][-1] == ("指标209", "S209", "甲", 209)
    assert sheets["说明"] == [("项目", "说明"), ("年份", "2023")]
