"""Atheris (libFuzzer) harness over the file readers: CSV and XLSX bytes in, InputError or a table out.

    make fuzz                    # 20,000 runs (RUNS=... to change)
    .venv/bin/python tests/fuzz/fuzz_readers.py -atheris_runs=100000 -max_len=65536

Each input is read as a CSV (hardened survey reader, competition reader, CRM reader) and, once
wrapped into a workbook, as an XLSX; a third of the time the bytes go in as a raw .xlsx. The
only exception allowed out of a reader is ``tradearea.errors.InputError``; anything else is a
crash libFuzzer reports with the input that caused it (saved as ``crash-*`` in the current folder).
The seed corpus is the hostile corpus of tests/hostile (generated if missing; big files skipped).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("TRADEAREA_MAX_INPUT_MB", "4")  # keep every run small and fast

with atheris.instrument_imports():
    from tradearea.crm import read_crm
    from tradearea.errors import InputError
    from tradearea.io import decode as tabular
    from tradearea.io import tables as _tables
    from tradearea.surveys import load_survey, read_table

_TMP = Path(tempfile.mkdtemp(prefix="tradearea-fuzz-"))


def _workbook(cells: list[str]) -> bytes:
    """A minimal .xlsx whose first sheet holds ``cells`` as inline strings (fuzzed text inside)."""
    rows = []
    for r in range(0, len(cells), 3):
        xml_cells = "".join(
            f'<c r="{"ABC"[k]}{r // 3 + 1}" t="inlineStr"><is><t>{_xml(v)}</t></is></c>'
            for k, v in enumerate(cells[r : r + 3])
        )
        rows.append(f'<row r="{r // 3 + 1}">{xml_cells}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(rows)
        + "</sheetData></worksheet>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


def _xml(text: str) -> str:
    text = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
    '"xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
    '"worksheets/sheet1.xml"/></Relationships>'
)


def _expect_input_error(read: object, *args: object, **kwargs: object) -> None:
    with contextlib.suppress(InputError):  # the message a user sees: fine
        read(*args, **kwargs)  # type: ignore[operator]


def test_one_input(data: bytes) -> None:
    """Feed one fuzzed input to every reader; anything but InputError propagates (a crash)."""
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    payload = fdp.ConsumeBytes(fdp.remaining_bytes())
    if mode == 0:  # text file
        _expect_input_error(read_table, payload, name="fuzz.csv")
        _expect_input_error(load_survey, payload, name="fuzz.csv")
        source = io.BytesIO(payload)
        source.name = "fuzz.csv"
        _expect_input_error(read_crm, source)
        path = _TMP / "fuzz.csv"
        path.write_bytes(payload)
        _expect_input_error(_tables.read_table, path)
    elif mode == 1:  # fuzzed text in a well-formed workbook
        text = payload.decode("utf-8", errors="replace")
        book = _workbook(text.split(",")[:60])
        _expect_input_error(read_table, book, name="fuzz.xlsx")
        _expect_input_error(load_survey, book, name="fuzz.xlsx")
    else:  # raw bytes posing as a workbook
        _expect_input_error(read_table, payload, name="fuzz.xlsx")
        _expect_input_error(tabular.decode_bytes, payload, encoding=None, file="fuzz.csv")


def _seeds() -> list[str]:
    sys.path.insert(0, str(REPO / "tests" / "hostile"))
    import make_corpus

    corpus = REPO / "tests" / "hostile" / "generated"
    make_corpus.write_corpus(corpus)
    seeds = _TMP / "seeds"
    seeds.mkdir(exist_ok=True)
    for path in corpus.iterdir():
        if path.is_file() and path.stat().st_size < 256 * 1024:
            (seeds / path.name.encode().hex()[:60]).write_bytes(b"\x00" + path.read_bytes())
    return [str(seeds)]


def main() -> None:
    """Run libFuzzer with the hostile corpus as seeds (extra arguments go to libFuzzer)."""
    args = list(sys.argv)
    if not any(not a.startswith("-") for a in args[1:]):
        args += _seeds()
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
