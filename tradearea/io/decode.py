"""Low-level reading of tabular files: encoding detection, delimiter sniffing, XLSX cells as text."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import zipfile
from typing import Any

import openpyxl

from tradearea.errors import InputError
from tradearea.settings import max_memory_bytes, memory_refusal

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_LINES = 60
_LATIN_EXTRA = set("€£¥§°±²³µ·¹º«»¿×÷–—‘’“”„•…ªß")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def decode_bytes(data: bytes, *, encoding: str | None, file: str) -> tuple[str, str]:
    """Decode a text file, detecting the encoding unless one is given.

    Detection: a byte-order mark (UTF-8, UTF-16, UTF-32); else strict UTF-8; else UTF-16
    without a mark (NUL bytes at alternating positions); else the most plausible of GB18030
    (simplified Chinese, includes GBK), Big5 and Latin-1/cp1252.

    Parameters
    ----------
    data : bytes
        The file's content.
    encoding : str, optional
        Force this encoding (any Python codec name, e.g. ``gbk``, ``latin-1``).
    file : str
        The file's name, for messages.

    Returns
    -------
    (str, str)
        The text and the encoding's name.

    Raises
    ------
    InputError
        If the forced encoding does not fit, naming the line of the first bad byte.
    """
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            msg = f"unknown encoding {encoding!r} (try utf-8, gb18030, utf-16 or latin-1)"
            raise InputError(msg, file=file) from None
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        return _strict(data, name, file), encoding
    for bom, name in BOMS:
        if data.startswith(bom):
            return _strict(data, name, file), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _utf16_without_bom(data)
    mixed = None if utf16 else _mixed_utf8(data)
    if mixed is not None:
        return mixed
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    best = max(_candidates(data), key=lambda c: c[0])
    _, name, text = best
    return text, name


def _mixed_utf8(data: bytes) -> tuple[str, str] | None:
    """Lines in UTF-8 and others in a legacy encoding (files pasted together from two sources).

    A legacy file (GBK, Big5) often has lines whose bytes happen to be valid UTF-8 (``30元`` in
    GBK is ``30Ԫ`` in UTF-8). Those lines are read in UTF-8 only when UTF-8 makes them more
    plausible text than the file's legacy encoding; otherwise the whole file is one encoding.
    """
    lines = data.split(b"\n")
    wide = [k for k, line in enumerate(lines) if not line.isascii()]
    good = [k for k in wide if _is_utf8(lines[k])]
    bad = [k for k in wide if not _is_utf8(lines[k])]
    if not good or not bad:
        return None
    failing = b"\n".join(lines[k] for k in bad)
    _, fallback, _ = max(_candidates(failing), key=lambda c: c[0])
    valid = b"\n".join(lines[k] for k in good)
    as_legacy = _plausibility(valid.decode(fallback, errors="replace"), fallback)
    if as_legacy > _utf8_plausibility(valid.decode("utf-8")):
        try:
            return data.decode(fallback), fallback
        except UnicodeDecodeError:
            pass
    text = "\n".join(
        ln.decode("utf-8") if _is_utf8(ln) else ln.decode(fallback, errors="replace")
        for ln in lines
    )
    numbers = [str(k + 1) for k in bad]
    shown = ", ".join(numbers[:10]) + (
        f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    )
    noun = "line" if len(bad) == 1 else "lines"
    return text, f"utf-8 (+{fallback} on {noun} {shown})"


def _plausibility(text: str, name: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common in encoding ``name``."""
    if name in {"gb18030", "big5"}:
        common = _common_gb if name == "gb18030" else _common_big5
        wide = [c for c in text if ord(c) > 127]
        return sum(map(common, wide)) / len(wide) if wide else 1.0
    return _latin_plausibility(text)


def _utf8_plausibility(text: str) -> float:
    """Share of the non-ASCII characters that are common Chinese, CJK punctuation or Latin letters."""
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return 1.0
    good = sum(
        _common_gb(c)
        or _common_big5(c)
        or c in _LATIN_EXTRA
        or (c.isalpha() and ord(c) < 0x250)
        or 0x3000 <= ord(c) <= 0x303F
        or 0xFF00 <= ord(c) <= 0xFFEF
        for c in wide
    )
    return good / len(wide)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def looks_binary(text: str) -> bool:
    """Whether decoded text is mostly control characters (a binary file, not a table)."""
    sample = text[:200_000]
    if not sample:
        return False
    controls = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\r\n") or c == "\x7f")
    return controls / len(sample) > 0.05


def check_zip(data: bytes, *, file: str, max_bytes: int) -> None:
    """Refuse a workbook whose parts would inflate past ``max_bytes`` (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        msg = f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        raise InputError(msg, file=file) from None
    if total > max_bytes:
        msg = (
            f"the workbook inflates to {total / 2**20:.0f} MB, more than the "
            f"{max_bytes / 2**20:.0f} MB limit; save the sheet as CSV"
        )
        raise InputError(msg, file=file)


def _strict(data: bytes, name: str, file: str) -> str:
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 2].hex(" ")
        msg = (
            f"cannot be read as {name}: bad bytes {bad} on line {line}; "
            "choose another encoding (e.g. utf-8, gb18030, utf-16, latin-1)"
        )
        raise InputError(msg, file=file) from None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) / 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _candidates(data: bytes) -> list[tuple[float, str, str]]:
    out: list[tuple[float, str, str]] = []
    for name, common in (("gb18030", _common_gb), ("big5", _common_big5)):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        wide = [c for c in text if ord(c) > 127]
        if wide:
            out.append((sum(map(common, wide)) / len(wide), name, text))
    latin = "cp1252" if any(0x80 <= b <= 0x9F for b in data) else "latin-1"
    try:
        text = data.decode(latin)
    except UnicodeDecodeError:
        latin, text = "latin-1", data.decode("latin-1")
    out.append((_latin_plausibility(text) - 0.05, latin, text))
    return out


def _common_gb(ch: str) -> bool:
    """Whether ``ch`` is a level-1 (common) GB2312 character or CJK punctuation."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and (0xB0 <= b[0] <= 0xD7 or 0xA1 <= b[0] <= 0xA3)


def _common_big5(ch: str) -> bool:
    """Whether ``ch`` is a frequently used Big5 character (A440-C67E) or punctuation."""
    try:
        b = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and (0xA4 <= b[0] <= 0xC6 or b[0] == 0xA1)


def _latin_plausibility(text: str) -> float:
    """Share of non-ASCII characters that look like Latin letters inside words."""
    wide = [i for i, c in enumerate(text) if ord(c) > 127]
    if not wide:
        return 1.0
    good = 0
    for i in wide:
        c = text[i]
        if c in _LATIN_EXTRA:
            good += 1
            continue
        if not c.isalpha():
            continue
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if before.isascii() or after.isascii():
            good += 1
    return good / len(wide)


def sniff_delimiter(text: str) -> str:
    """Return the delimiter (``,`` ``;`` tab ``|``) that splits the first lines most evenly.

    Parameters
    ----------
    text : str
        The decoded file.

    Returns
    -------
    str
        The delimiter; ``,`` for a file of one column.
    """
    lines = [ln for ln in text.splitlines()[: _SAMPLE_LINES * 2] if ln.strip()][:_SAMPLE_LINES]
    sample = "\n".join(lines)
    best = (0.0, 1, ",")
    for delim in DELIMITERS:
        if delim not in sample:
            continue
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        modal = max(set(counts), key=lambda c: (counts.count(c), c))
        if modal < 2:
            continue
        consistency = counts.count(modal) / len(counts)
        if (consistency, modal) > best[:2]:
            best = (consistency, modal, delim)
    return best[2]


# Memory a table's cells take once read: per cell (a str object and its list slot, kept about
# three times over while the frame is built) and per character.
CELL_BYTES = 200
CHAR_BYTES = 4


class _TableBudget:
    """Count cells and characters as rows are read; refuse past the memory budget."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.budget = max_memory_bytes()
        self.cells = 0
        self.chars = 0

    def add(self, row: list[str]) -> None:
        self.cells += len(row)
        self.chars += sum(map(len, row))
        needed = self.cells * CELL_BYTES + self.chars * CHAR_BYTES
        if needed > self.budget:
            msg = memory_refusal(
                f"the table (at least {self.cells:,} cells, {self.chars:,} characters)", needed
            )
            raise InputError(msg, file=self.file)


def csv_rows(text: str, *, delimiter: str, file: str) -> list[list[str]]:
    """Split decoded text into rows of cells with the csv module (quotes honoured)."""
    text = text.replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    budget = _TableBudget(file)
    try:
        for row in reader:
            budget.add(row)
            rows.append(row)
    except csv.Error as exc:
        msg = f"cannot be read as {delimiter!r}-separated text: {exc}"
        raise InputError(msg, file=file, row=max(reader.line_num - 1, 1)) from None
    return rows


def xlsx_rows(
    data: bytes, *, sheet: str | int | None, file: str, max_columns: int | None = None
) -> tuple[list[list[str]], str]:
    """Read one worksheet of an XLSX workbook as rows of text cells, in bounded memory.

    The sheet's declared dimension is ignored (a workbook may declare ``A1:NTO1048576`` over a
    few cells, and every row would be padded to it); a row wider than ``max_columns`` is
    refused as soon as it is read, and so is a sheet whose cells (counted as read, a shared
    string once per cell that refers to it) would take more than the memory budget
    (``TRADEAREA_MAX_MEMORY_MB``).

    Parameters
    ----------
    data : bytes
        The workbook.
    sheet : str or int, optional
        Sheet name or 0-based position; default the first sheet holding data.
    file : str
        The file's name, for messages.
    max_columns : int, optional
        Widest row accepted.

    Returns
    -------
    (list of list of str, str)
        The rows and the sheet's name (trailing empty cells of a row dropped).
    """
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        msg = f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        raise InputError(msg, file=file) from None
    except Exception as exc:  # openpyxl raises its own exceptions for damaged parts
        msg = f"not a readable .xlsx workbook ({type(exc).__name__})"
        raise InputError(msg, file=file) from None
    try:
        names = book.sheetnames
        if sheet is None:
            chosen = _first_sheet_with_data(book, names)
        elif isinstance(sheet, str) and sheet in names:
            chosen = sheet
        elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit()):
            pos = int(sheet)
            if not 0 <= pos < len(names):
                msg = f"has no sheet number {pos} (sheets: {', '.join(names)})"
                raise InputError(msg, file=file)
            chosen = names[pos]
        else:
            msg = f"has no sheet {sheet!r} (sheets: {', '.join(names)})"
            raise InputError(msg, file=file)
        rows = _bounded_rows(book[chosen], file=file, max_columns=max_columns)
    finally:
        book.close()
    return rows, chosen


def _bounded_rows(ws: Any, *, file: str, max_columns: int | None) -> list[list[str]]:
    ws.reset_dimensions()  # the declared dimension is the file's word, not a fact
    budget = _TableBudget(file)
    rows: list[list[str]] = []
    for k, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if max_columns is not None and len(values) > max_columns:
            msg = f"has {len(values)} columns, more than the {max_columns} a table may have"
            raise InputError(msg, file=file, row=k)
        row = [cell_text(v) for v in values]
        while row and row[-1] == "":
            row.pop()
        budget.add(row)
        rows.append(row)
    return rows


def _first_sheet_with_data(book: Any, names: list[str]) -> str:
    for name in names:
        book[name].reset_dimensions()
        for row in book[name].iter_rows(values_only=True, max_row=50):
            if any(v is not None and str(v).strip() for v in row):
                return name
    return names[0]


def cell_text(value: Any) -> str:
    """Write a spreadsheet cell value as text (``6`` not ``6.0``; dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
