"""The hardened reader of uploaded tables: size and column limits, encodings, header row."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from tradearea.errors import InputError
from tradearea.io.decode import (
    OLE_MAGIC,
    ZIP_MAGIC,
    check_zip,
    csv_rows,
    decode_bytes,
    looks_binary,
    sniff_delimiter,
    xlsx_rows,
)
from tradearea.settings import max_input_bytes

__all__ = ["MAX_COLUMNS", "ReadInfo", "read_table"]

_HEADER_SCAN = 20
MAX_COLUMNS = 10_000


@dataclass(frozen=True)
class ReadInfo:
    """How a table was read.

    Attributes
    ----------
    file : str
        The file's name.
    format : str
        ``csv`` or ``xlsx``.
    encoding, delimiter : str or None
        Detected (or given) for text files.
    sheet : str or None
        The worksheet read (XLSX).
    header_row : int
        The header's row in the file (1-based, as a spreadsheet shows it).
    rows : int
        Data rows read (blank rows skipped).
    blank_rows_skipped : int
        Fully empty rows below the header that were skipped.
    source_rows : tuple of int
        For each data row, its 1-based data row number in the file (header excluded).
    """

    file: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int
    rows: int
    blank_rows_skipped: int = 0
    source_rows: tuple[int, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The fields for a JSON summary (without the row numbers)."""
        return {
            "file": self.file,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows": self.rows,
            "blank_rows_skipped": self.blank_rows_skipped,
        }


def read_table(
    path: str | Path | bytes | IO[bytes],
    *,
    known_header: Callable[[str], object] | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    name: str | None = None,
) -> tuple[pd.DataFrame, ReadInfo]:
    """Read a CSV or XLSX file into a table of text, detecting encoding, delimiter and header.

    Parameters
    ----------
    path : str, pathlib.Path, bytes or binary file
        The file (an upload's bytes work too).
    encoding : str, optional
        Force an encoding (CSV); default detected: UTF-8 (with or without BOM), UTF-16,
        GB18030/GBK, Big5, Latin-1/cp1252.
    sheet : str or int, optional
        Worksheet name or 0-based number (XLSX); default the first with data.
    delimiter : str, optional
        Force the delimiter (CSV); default sniffed among ``,`` ``;`` tab ``|``.
    header_row : int, optional
        The header's row (1-based); default detected (title lines above it are skipped).
    name : str, optional
        The file's name for messages (default: the path's name).
    known_header : callable, optional
        Says whether a cell is a known column name (a domain's synonym table, e.g. the
        survey's); known names make a row the header. Without it, the row of text cells
        above the numbers is.

    Returns
    -------
    (pandas.DataFrame, ReadInfo)
        Every cell as text (empty cells as ``""``), columns named after the header.

    Raises
    ------
    InputError
        For a missing, empty, header-only or unreadable file, naming the file (and row).
    """
    data, file = _read_bytes(path, name)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError("the file is empty", file=file)
    if data.startswith(OLE_MAGIC):
        msg = "is an old Excel .xls workbook: save it as .xlsx or CSV and upload again"
        raise InputError(msg, file=file)
    if data.startswith(ZIP_MAGIC):
        check_zip(data, file=file, max_bytes=5 * max_input_bytes())
        rows, sheet_name = xlsx_rows(data, sheet=sheet, file=file, max_columns=MAX_COLUMNS)
        fmt, enc, delim = "xlsx", None, None
    else:
        if file.lower().endswith((".xlsx", ".xlsm")):
            raise InputError("is named .xlsx but is not an Excel workbook", file=file)
        text, enc = decode_bytes(data, encoding=encoding, file=file)
        if looks_binary(text):
            raise InputError(
                "looks like a binary file, not CSV text or an .xlsx workbook", file=file
            )
        delim = delimiter or sniff_delimiter(text)
        rows = csv_rows(text, delimiter=delim, file=file)
        fmt, sheet_name = "csv", None
    return _table(
        rows, file=file, header_row=header_row, fmt=fmt, enc=enc, delim=delim, sheet=sheet_name,
        known=known_header,
    )  # fmt: skip


def _read_bytes(path: Any, name: str | None) -> tuple[bytes, str]:
    limit = max_input_bytes()
    if isinstance(path, bytes | bytearray):
        data, label = bytes(path), name or "upload"
    elif hasattr(path, "getvalue"):
        data, label = bytes(path.getvalue()), name or str(getattr(path, "name", "upload"))
    elif hasattr(path, "read"):
        data, label = bytes(path.read(limit + 1)), name or str(getattr(path, "name", "upload"))
    else:
        p = Path(path)
        label = name or str(path)
        if not p.exists():
            raise InputError("not found", file=label)
        if p.is_dir():
            raise InputError("is a folder, expected a CSV or XLSX file", file=label)
        if not p.is_file():  # a device or pipe (/dev/zero) would be read forever
            raise InputError("is not a regular file, expected a CSV or XLSX file", file=label)
        try:
            size = p.stat().st_size
            if size > limit:
                _too_big(size, limit, label)
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot be read ({exc.strerror})", file=label) from None
    if len(data) > limit:
        _too_big(len(data), limit, label)
    return data, label


def _too_big(size: int, limit: int, label: str) -> None:
    msg = (
        f"is {size / 2**20:.0f} MB, more than the {limit / 2**20:.0f} MB limit "
        "(split it, or set TRADEAREA_MAX_INPUT_MB)"
    )
    raise InputError(msg, file=label)


def _table(
    rows: list[list[str]],
    *,
    file: str,
    header_row: int | None,
    fmt: str,
    enc: str | None,
    delim: str | None,
    sheet: str | None,
    known: Callable[[str], object] | None = None,
) -> tuple[pd.DataFrame, ReadInfo]:
    widest = max((len(r) for r in rows), default=0)
    if widest > MAX_COLUMNS:  # before any per-cell work: a million-column header is cheap to refuse
        msg = f"has {widest} columns, more than the {MAX_COLUMNS} a table may have"
        raise InputError(msg, file=file)
    rows = [[c.replace("\ufeff", "") if isinstance(c, str) else str(c) for c in r] for r in rows]
    filled = [i for i, r in enumerate(rows) if any(c.strip() for c in r)]
    if not filled:
        raise InputError("the file has no data (every cell is empty)", file=file)
    if header_row is not None:
        if not 1 <= header_row <= len(rows):
            msg = f"header row {header_row} is outside the file (1-{len(rows)})"
            raise InputError(msg, file=file)
        h = header_row - 1
        if not any(c.strip() for c in rows[h]):
            raise InputError(f"header row {header_row} is empty", file=file)
    else:
        h = _detect_header(rows, filled, known=known)
    body = rows[h + 1 :]
    width = max([len(rows[h])] + [len(r) for r in body])
    if width > MAX_COLUMNS:
        msg = f"has {width} columns, more than the {MAX_COLUMNS} a table may have"
        raise InputError(msg, file=file)
    header = [c.strip() for c in rows[h]] + [""] * (width - len(rows[h]))
    used = [any(j < len(r) and r[j].strip() for r in body) or header[j] for j in range(width)]
    keep = [j for j in range(width) if used[j]]
    names = _unique_names([header[j] or f"column_{j + 1}" for j in keep])
    data: list[list[str]] = []
    source: list[int] = []
    blank = 0
    for k, r in enumerate(body, start=1):
        if not any(c.strip() for c in r):
            blank += 1
            continue
        data.append([r[j] if j < len(r) else "" for j in keep])
        source.append(k)
    if not data:
        raise InputError(
            f"has a header (row {h + 1}) but no data rows below it", file=file, row=None
        )
    frame = pd.DataFrame(data, columns=names, dtype=object)
    trailing = len(body) - (source[-1] if source else 0)
    info = ReadInfo(
        file=file,
        format=fmt,
        encoding=enc,
        delimiter=delim,
        sheet=sheet,
        header_row=h + 1,
        rows=len(frame),
        blank_rows_skipped=blank - trailing,
        source_rows=tuple(source),
    )
    return frame, info


def _detect_header(
    rows: list[list[str]], filled: list[int], *, known: Callable[[str], object] | None = None
) -> int:
    """The header row: the first rows scored for known column names and text cells."""
    widths = [sum(1 for c in rows[i] if c.strip()) for i in filled[:200]]
    modal = max(set(widths), key=lambda w: (widths.count(w), w))
    best, best_score = filled[0], -1e9
    for i in filled[:_HEADER_SCAN]:
        cells = [c.strip() for c in rows[i] if c.strip()]
        if len(cells) < max(1, modal // 2):
            continue
        hits = sum(1 for c in cells if known(c)) if known is not None else 0
        numeric = sum(1 for c in cells if _looks_numeric(c))
        score = 3 * hits + (len(cells) - numeric) - 2 * numeric
        if score > best_score:
            best, best_score = i, score
    return best


_NUMERIC = re.compile(r"^[-+]?[\d\s.,:/%-]+$")


def _looks_numeric(cell: str) -> bool:
    return bool(_NUMERIC.match(cell))


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}_{seen[n]}")
        else:
            seen[n] = 1
            out.append(n)
    return out
