"""Reading survey files: encodings, delimiters, headers, XLSX, column mapping, values, screening."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradearea.errors import InputError
from tradearea.io.values import canonical_name, parse_amount, parse_frequency
from tradearea.settings import REPO_DIR
from tradearea.surveys import load_survey, map_columns, read_table

SURVEYS = REPO_DIR / "surveys"
ROWS_FI = [
    ["respondent_id", "address", "visits_per_month"],
    ["R1", "Töölönkatu 5, 00100 Helsinki", "4"],
    ["R2", "Mäkelänkatu 10", "2"],
]
ROWS_ZH = [
    ["编号", "住址", "来店频率（次/周）", "消费金额"],
    ["R1", "上海市黄浦区南京东路100号", "2", "￥120"],
    ["R2", "北京市朝阳区建国路88号", "每月3次", "80元"],
]


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _xlsx(rows: list[list[object]], sheet: str = "Sheet1", extra: str | None = None) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    if extra:
        book.add_worksheet(extra)
    ws = book.add_worksheet(sheet)
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, datetime):
                ws.write_datetime(r, c, v, date_fmt)
            else:
                ws.write(r, c, v)
    book.close()
    return buf.getvalue()


def test_demo_survey_reads_as_150_text_rows() -> None:
    frame, info = read_table(SURVEYS / "demo_survey.csv")
    assert (info.format, info.encoding, info.delimiter, info.header_row, info.rows) == (
        "csv",
        "utf-8",
        ",",
        1,
        150,
    )
    assert frame.shape == (150, 14)
    assert frame.loc[0, "address"] == "Aleksanterinkatu 13 A, 5. krs./Floor 5, 00100 Helsinki"
    assert frame.loc[0, "visits_per_month"] == "6"  # text, not a number
    assert info.source_rows[:3] == (1, 2, 3)


@pytest.mark.parametrize(
    ("encoding", "rows", "detected"),
    [
        ("utf-8", ROWS_FI, "utf-8"),
        ("utf-8-sig", ROWS_FI, "utf-8-sig"),
        ("utf-16", ROWS_FI, "utf-16"),
        ("utf-16-le", ROWS_FI, "utf-16-le"),
        ("latin-1", ROWS_FI, "latin-1"),
        ("cp1252", [*ROWS_FI, ["R3", "Café “Lumi” 3", "1"]], "cp1252"),
        ("gb18030", ROWS_ZH, "gb18030"),
        ("gbk", ROWS_ZH, "gb18030"),
        ("utf-8-sig", ROWS_ZH, "utf-8-sig"),
        ("utf-16", ROWS_ZH, "utf-16"),
    ],
)
def test_encodings_are_detected(encoding: str, rows: list[list[str]], detected: str) -> None:
    data = _csv(rows).encode(encoding)
    frame, info = read_table(data, name="survey.csv")
    assert info.encoding == detected
    assert frame.columns.tolist() == rows[0]
    assert frame.iloc[:, 1].tolist() == [r[1] for r in rows[1:]]


def test_encoding_override_and_a_wrong_one_names_the_line() -> None:
    data = _csv(ROWS_ZH).encode("gbk")
    frame, info = read_table(data, name="s.csv", encoding="gbk")
    assert (info.encoding, frame.loc[0, "住址"]) == ("gbk", "上海市黄浦区南京东路100号")
    with pytest.raises(InputError) as err:
        read_table(data, name="s.csv", encoding="utf-8")
    assert err.value.file == "s.csv"
    assert "line 1" in str(err.value) and "utf-8" in str(err.value)
    with pytest.raises(InputError, match="unknown encoding"):
        read_table(data, name="s.csv", encoding="klingon")


def test_mixed_utf8_and_latin1_lines_are_both_read() -> None:
    data = b"id,address\nR1,T\xc3\xb6\xc3\xb6l\xc3\xb6nkatu 5\nR2,T\xf6\xf6l\xf6nkatu 7\n"
    frame, info = read_table(data, name="mixed.csv")
    assert frame["address"].tolist() == ["Töölönkatu 5", "Töölönkatu 7"]
    assert info.encoding.startswith("utf-8 (+")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed_even_with_commas_inside_fields(delimiter: str) -> None:
    rows = [["id", "address", "visits"]] + [
        [f"R{i}", f"Mannerheimintie {i}, 00100 Helsinki", str(i)] for i in range(1, 6)
    ]
    text = _csv(rows, delimiter)
    if delimiter != ",":
        text = text.replace('"', "")  # unquoted commas inside the address
    frame, info = read_table(text.encode(), name="d.csv")
    assert info.delimiter == delimiter
    assert frame.shape == (5, 3)
    assert frame.loc[4, "address"] == "Mannerheimintie 5, 00100 Helsinki"


def test_title_lines_above_the_header_blank_rows_and_duplicate_headers() -> None:
    text = (
        "Customer survey October 2026,,,\n"
        "Store: Lidl Helsinki,,,\n"
        "respondent_id,address,address,visits\n"
        "R1,Mannerheimintie 5,x,4\n"
        ",,,\n"
        "R2,Mannerheimintie 7,y,2\n"
        ",,,\n"
    )
    frame, info = read_table(text.encode(), name="t.csv")
    assert info.header_row == 3
    assert frame.columns.tolist() == ["respondent_id", "address", "address_2", "visits"]
    assert frame["respondent_id"].tolist() == ["R1", "R2"]
    assert info.source_rows == (1, 3)
    assert info.blank_rows_skipped == 1  # the trailing one is not counted as a skipped row
    frame, info = read_table(text.encode(), name="t.csv", header_row=3)
    assert info.header_row == 3 and len(frame) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n \t \n", "empty"),
        (b"respondent_id,address\n", "no data rows"),
        (b"respondent_id,address\n,\n,\n", "no data rows"),
        (bytes(range(256)) * 64, "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    ],
)
def test_unreadable_files_raise_input_error_naming_the_file(content: bytes, message: str) -> None:
    with pytest.raises(InputError) as err:
        read_table(content, name="bad.csv")
    assert err.value.file == "bad.csv"
    assert message in str(err.value)


def test_missing_file_folder_and_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="folder"):
        read_table(tmp_path)
    big = tmp_path / "big.csv"
    big.write_bytes(b"id,address\n" + b"R1,Mannerheimintie 5\n" * 100)
    monkeypatch.setenv("TRADEAREA_MAX_INPUT_MB", "0.001")
    with pytest.raises(InputError, match="limit"):
        read_table(big)


def test_xlsx_cells_become_text_and_sheets_can_be_chosen() -> None:
    rows = [
        ["Survey 2026", None, None, None],
        ["respondent_id", "住址", "来店频率", "survey_date"],
        ["R1", "Mannerheimintie 14", 6, datetime(2026, 10, 1)],
        ["R2", "Annankatu 29 B", 2.5, datetime(2026, 10, 2)],
    ]
    data = _xlsx(rows, sheet="answers", extra="cover")
    frame, info = read_table(data, name="s.xlsx")
    assert (info.format, info.sheet, info.header_row) == ("xlsx", "answers", 2)
    assert frame["来店频率"].tolist() == ["6", "2.5"]
    assert frame["survey_date"].tolist() == [date(2026, 10, 1).isoformat(), "2026-10-02"]
    assert read_table(data, name="s.xlsx", sheet=1)[1].sheet == "answers"
    with pytest.raises(InputError, match="no sheet 'nope'"):
        read_table(data, name="s.xlsx", sheet="nope")


def test_broken_and_inflating_workbooks_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    good = _xlsx([["id", "address"], ["R1", "A 1"]])
    with pytest.raises(InputError, match=r"not a readable \.xlsx"):
        read_table(good[:700], name="cut.xlsx")
    with pytest.raises(InputError, match="not an Excel workbook"):
        read_table(b"plain text\n", name="fake.xlsx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 << 20))
    monkeypatch.setenv("TRADEAREA_MAX_INPUT_MB", "1")
    with pytest.raises(InputError, match="inflates"):
        read_table(buf.getvalue(), name="bomb.xlsx")


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("住址", "address"),
        ("家庭住址", "address"),
        ("Home Address", "address"),
        ("address / 住址", "address"),
        ("地址", "address"),
        ("来店频率", "visits_per_month"),
        ("来店频率（次/月）", "visits_per_month"),
        ("来店频率（次/周）", "visits_per_week"),
        ("Visits (per week)", "visits_per_week"),
        ("消费金额", "spend_per_visit"),
        ("spend per visit (€)", "spend_per_visit"),
        ("纬度", "lat"),
        ("经度", "lon"),
        ("Longitude", "lon"),
        ("竞争店1", "competitor_1"),
        ("竞争店2利用频度（次/月）", "competitor_2_visits_per_month"),
        ("Competitor 3 visits", "competitor_3_visits_per_month"),
        ("competitor_1_visits_per_week", "competitor_1_visits_per_week"),
        ("大型店利用频度", "large_store_visits_per_month"),
        ("Respondent ID", "respondent_id"),
        ("问卷编号", "respondent_id"),
        ("comments", None),
    ],
)
def test_header_synonyms_in_english_and_chinese(header: str, canonical: str | None) -> None:
    assert canonical_name(header) == canonical


def test_map_columns_with_overrides() -> None:
    frame = pd.DataFrame(columns=["编号", "家", "住址", "纬度", "经度", "notes"])
    assert map_columns(frame) == {
        "respondent_id": "编号",
        "address": "住址",
        "lat": "纬度",
        "lon": "经度",
    }
    got = map_columns(frame, overrides={"address": "家"})
    assert got["address"] == "家"
    with pytest.raises(InputError) as err:
        map_columns(frame, overrides={"address": "missing"})
    assert err.value.column == "missing"
    with pytest.raises(InputError, match="unknown survey column"):
        map_columns(frame, overrides={"nonsense": "家"})


@pytest.mark.parametrize(
    ("value", "unit", "per_month"),
    [
        ("6", "month", 6.0),
        ("2", "week", 2 * 52 / 12),
        ("2/week", "month", 2 * 52 / 12),
        ("每周2次", "month", 2 * 52 / 12),
        ("2次/周", "month", 2 * 52 / 12),
        ("twice a week", "month", 2 * 52 / 12),
        ("3 times a month", "week", 3.0),
        ("每月3次", "week", 3.0),
        ("daily", "month", 365 / 12),
        ("2-3", "month", 2.5),
        ("1,5", "month", 1.5),
        ("４", "month", 4.0),
    ],
)
def test_visit_frequencies_are_normalised_per_month(
    value: str, unit: str, per_month: float
) -> None:
    assert parse_frequency(value, unit=unit)[0] == pytest.approx(per_month)


def test_unreadable_or_negative_frequencies_are_emptied_with_a_note() -> None:
    value, note = parse_frequency("often")
    assert value != value and "unreadable" in note
    value, note = parse_frequency("-3")
    assert value != value and "negative" in note


@pytest.mark.parametrize(
    ("value", "amount"),
    [("¥25.5", 25.5), ("25,50 €", 25.5), ("1 234,50", 1234.5), ("30元", 30.0), ("1,234", 1234.0),
     ("1,234.5", 1234.5), ("２５.５", 25.5), (12, 12.0)],
)  # fmt: skip
def test_amounts_with_currency_and_decimal_commas(value: object, amount: float) -> None:
    assert parse_amount(value)[0] == pytest.approx(amount)


def test_load_survey_chinese_gbk_weekly_visits_and_rejections() -> None:
    rows = [
        *ROWS_ZH,
        ["R1", "上海市徐汇区", "1", "50"],  # duplicate id
        ["R4", "", "3", "20"],  # empty address
        ["R5", "广州市天河区", "often", "x"],
    ]
    survey, rejected = load_survey(_csv(rows).encode("gbk"), name="问卷.csv")
    assert survey.columns[:5].tolist() == [
        "source_row",
        "respondent_id",
        "address",
        "visits_per_month",
        "spend_per_visit",
    ]
    assert survey.columns[-3:].tolist() == ["status", "reason", "notes"]
    assert survey["visits_per_month"].round(3).tolist()[:3] == [
        round(2 * 52 / 12, 3),
        3.0,
        round(52 / 12, 3),
    ]
    assert survey["spend_per_visit"].tolist()[:2] == [120.0, 80.0]
    assert survey["status"].tolist() == ["", "", "rejected", "rejected", ""]
    assert rejected.to_dict("records") == [
        {
            "source_row": 3,
            "respondent_id": "R1",
            "reason": "duplicate respondent id R1 (first at row 1)",
        },
        {"source_row": 4, "respondent_id": "R4", "reason": "empty address"},
    ]
    assert "unreadable" in survey.loc[4, "notes"]
    assert "visits_per_week" not in survey.columns


def test_load_survey_needs_an_address_or_coordinates() -> None:
    with pytest.raises(InputError) as err:
        load_survey(b"id,comment\nR1,nice\n", name="x.csv")
    assert err.value.file == "x.csv" and err.value.column == "address"


def test_demo_survey_loads_with_one_rejected_row() -> None:
    survey, rejected = load_survey(SURVEYS / "demo_survey.csv")
    assert len(survey) == 150
    assert rejected["respondent_id"].tolist() == ["R135"]
    assert survey["visits_per_month"].dtype == float
    assert survey["visits_per_month"].sum() == pytest.approx(7.14 * 150)


def test_templates_are_reproducible_documented_and_readable() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_template", SURVEYS / "make_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.template_csv() == (SURVEYS / "template.csv").read_bytes()
    assert module.template_xlsx() == (SURVEYS / "template.xlsx").read_bytes()
    dictionary = (SURVEYS / "DATA-DICTIONARY.md").read_text("utf-8")
    headers = module.headers()
    for name, zh, *_ in module.COLUMNS:
        assert f"`{name}`" in dictionary and zh in dictionary
    filled = (SURVEYS / "template.csv").read_bytes() + b"R1,2026-10-01,Annankatu 29 B,6\r\n"
    frame, info = read_table(filled, name="template.csv")
    assert info.encoding == "utf-8-sig"
    mapping = map_columns(frame)
    assert set(mapping) == {name for name, *_ in module.COLUMNS}
    assert [mapping[n] for n, *_ in module.COLUMNS] == headers
    xlsx_frame = read_table(
        _xlsx([headers, ["R1", "2026-10-01", "Annankatu 29 B", 6]]), name="t.xlsx"
    )[0]
    assert set(map_columns(xlsx_frame)) == set(mapping)


# ---- properties ------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000))
def test_property_random_bytes_never_crash_the_reader(data: bytes) -> None:
    try:
        frame, info = read_table(data, name="random.bin")
    except InputError as exc:
        assert exc.file == "random.bin"
        return
    assert info.rows == len(frame) > 0
    assert all(isinstance(c, str) for c in frame.columns)


CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
    max_size=12,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(
        st.text(alphabet="abcdefghij_", min_size=1, max_size=8), min_size=1, max_size=5, unique=True
    ),
    body=st.lists(st.lists(CELL, min_size=5, max_size=5), min_size=1, max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
)
def test_property_random_tables_round_trip(
    header: list[str], body: list[list[str]], delimiter: str, encoding: str
) -> None:
    width = len(header)
    rows = [r[:width] for r in body]
    text = _csv([header, *rows], delimiter)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    kept = [r for r in rows if any(c.strip() for c in r)]
    options = {"delimiter": delimiter, "header_row": 1}
    options["encoding"] = None if encoding.startswith("utf") else encoding
    if not kept:
        with pytest.raises(InputError, match="no data rows"):
            read_table(data, name="t.csv", **options)
        return
    frame, info = read_table(data, name="t.csv", **options)
    assert info.rows == len(kept)
    assert frame.columns.tolist() == header
    expected = [[c.replace("\r\n", "\n").replace("\r", "\n") for c in r] for r in kept]
    got = [
        [c.replace("\r\n", "\n").replace("\r", "\n") for c in r] for r in frame.to_numpy().tolist()
    ]
    assert got == expected
    assert codecs.lookup(info.encoding.split(" ")[0]).name


@settings(max_examples=40, deadline=None)
@given(
    cells=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=2, max_size=10),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_property_random_tables_never_crash_detection(
    cells: list[list[str]], delimiter: str
) -> None:
    data = _csv(cells, delimiter).encode("utf-8")
    try:
        frame, info = read_table(data, name="t.csv")
    except InputError as exc:
        assert exc.file == "t.csv"
        return
    assert 1 <= info.header_row <= len(cells)
    assert info.rows == len(frame) <= len(cells) - 1


def test_one_header_engine_reports_how_each_header_mapped() -> None:
    """Surveys, CRM, competitor and zone uploads share one engine, each with its own table."""
    from tradearea.crm.io import CRM_COLUMNS
    from tradearea.io.tables import map_headers
    from tradearea.io.values import SURVEY_COLUMNS

    got = map_headers(["Latitude", "lat", "住址", "竞争店2利用频度", "notes"], SURVEY_COLUMNS)
    assert got.columns == {
        "lat": "lat",  # the canonical name itself wins over an earlier synonym
        "address": "住址",
        "competitor_2_visits_per_month": "竞争店2利用频度",
    }
    assert got.how == {"lat": "exact", "住址": "synonym", "竞争店2利用频度": "synonym"}
    assert got.unmatched == ("Latitude", "notes")
    assert got.report()["canonical"].isna().sum() == 2
    crm_map = map_headers(["客户编号", "Revenue (EUR)"], CRM_COLUMNS, given={"orders": "x"})
    assert crm_map.renames["客户编号"] == "customer_id" and crm_map.how["x"] == "given"


def test_gbk_file_with_lines_that_look_like_utf8_is_one_encoding() -> None:
    # issue 18: "30元" in GBK is valid UTF-8 ("30Ԫ"); the file was read line by line and the
    # summary said "utf-8 (+gb18030 on 4 lines)"
    rows = [["id", "price", "address"], ["R1", "30元", "上海市黄浦区南京东路100号"]]
    rows += [["R2", "30元", "x"], ["R3", "40元", "y"], ["R4", "上海", "北京市朝阳区"]]
    data = _csv(rows).encode("gbk")
    frame, info = read_table(data, name="gbk.csv")
    assert info.encoding == "gb18030"
    assert frame["price"].tolist() == ["30元", "30元", "40元", "上海"]


def test_truly_mixed_file_is_reported_with_its_lines() -> None:
    head = "id,address\nR1,上海市黄浦区南京东路100号\n".encode()
    tail = "R2,北京市朝阳区\nR3,广州市天河区\n".encode("gbk")
    frame, info = read_table(head + tail, name="mixed.csv")
    assert frame["address"].tolist() == [
        "上海市黄浦区南京东路100号",
        "北京市朝阳区",
        "广州市天河区",
    ]
    assert info.encoding == "utf-8 (+gb18030 on lines 3, 4)"
