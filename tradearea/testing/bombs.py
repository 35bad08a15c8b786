"""Small files that expand when read (memory bombs), for the bounded-memory tests."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

CT = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WB = """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WBRELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def col_name(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _xlsx(path: Path, sheet: str, strings: list[str]) -> Path:
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings)
        + "</sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
        z.writestr("xl/_rels/workbook.xml.rels", WBRELS)
        z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def shared_string_bomb(path: Path, *, refs: int = 40_000, length: int = 1_000_000) -> Path:
    """One long shared string referenced ``refs`` times (each cell a copy once read)."""
    rows = '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>2</v></c></row>'
    rows += "".join(
        f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c><c r="B{i}" t="s"><v>0</v></c></row>'
        for i in range(2, refs + 2)
    )
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{rows}</sheetData></worksheet>'
    return _xlsx(path, sheet, ["x" * length, "address", "respondent_id"])


def dimension_bomb(path: Path, *, columns: int = 9_999, rows: int = 100_000) -> Path:
    """A declared dimension just under the column limit over many one-cell rows."""
    ref = f"A1:{col_name(columns)}{rows}"
    body = '<row r="1"><c r="A1" t="s"><v>1</v></c></row>' + "".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(2, rows + 1)
    )
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><dimension ref="{ref}"/><sheetData>{body}</sheetData></worksheet>'
    return _xlsx(path, sheet, ["x", "address"])


def csv_cell_bomb(path: Path, *, rows: int = 9_000, columns: int = 9_000) -> Path:
    """A CSV of empty cells: a few MB of commas, hundreds of millions of cells once split."""
    line = "," * (columns - 1) + "\n"
    with open(path, "w") as f:
        f.write("address" + line[1:])
        for _ in range(rows):
            f.write(line)
    return path


def gpkg_view_bomb(path: Path, base: Path, *, rows: int = 50_000_000) -> Path:
    """A GeoPackage whose one layer is a view that repeats a polygon ``rows`` times."""
    path.write_bytes(base.read_bytes())
    con = sqlite3.connect(path)
    (table,) = con.execute("SELECT table_name FROM gpkg_contents LIMIT 1").fetchone()
    (geom,) = con.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE table_name=?", (table,)
    ).fetchone()
    con.execute(
        f"CREATE VIEW bomb AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        f'LIMIT {rows}) SELECT x AS fid, (SELECT "{geom}" FROM "{table}" LIMIT 1) AS "{geom}" '
        "FROM c"
    )
    con.execute("UPDATE gpkg_contents SET table_name='bomb', identifier='bomb'")
    con.execute("UPDATE gpkg_geometry_columns SET table_name='bomb'")
    con.commit()
    con.close()
    return path


def gpkg_generated_bomb(path: Path, base: Path, *, length: int = 400_000_000) -> Path:
    """A GeoPackage whose layer has a generated column of ``length`` characters per row."""
    path.write_bytes(base.read_bytes())
    con = sqlite3.connect(path)
    (table,) = con.execute("SELECT table_name FROM gpkg_contents LIMIT 1").fetchone()
    con.execute(
        f'ALTER TABLE "{table}" ADD COLUMN big TEXT GENERATED ALWAYS AS '
        f"(printf('%.*c', {length}, 'x')) VIRTUAL"
    )
    con.commit()
    con.close()
    return path
